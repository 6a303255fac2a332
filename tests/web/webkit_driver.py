"""Drives Debian's WebKitGTK (the engine of every browser on iOS) with a persistent profile,
for tests/web/test_webkit.py. Run by Debian's own Python (PyGObject) under xvfb-run:

    xvfb-run -a /usr/bin/python3 webkit_driver.py PROFILE_DIR STEPS_JSON

STEPS_JSON is a list of {"load": url}, {"wait": js_expression, "timeout": s} or
{"eval": js_function_body} (may return a promise); the results of "eval" steps are printed
as one JSON list. The profile's data and cache directories persist between runs, as a
phone's browser keeps them across restarts."""

import json
import sys
import time

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402


def spin(done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    context = GLib.MainContext.default()
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError
        context.iteration(False)
        time.sleep(0.005)


def pump(seconds: float) -> None:
    """Let the page run for a while (its timers, network and storage)."""
    until = time.monotonic() + seconds
    spin(lambda: time.monotonic() > until, seconds + 1)


def call(view, body: str, timeout: float = 30):
    out = {}

    def finished(source, result):
        try:
            value = source.call_async_javascript_function_finish(result)
            out["value"] = json.loads(value.to_json(0) or "null")
        except GLib.Error as exc:
            out["error"] = exc.message

    view.call_async_javascript_function(body, -1, None, None, None, None, finished)
    spin(lambda: out, timeout)
    if "error" in out:
        raise RuntimeError(out["error"])
    return out["value"]


def load(view, url: str) -> None:
    loaded = []
    handler = view.connect("load-changed", lambda _v, e: e == WebKit2.LoadEvent.FINISHED and loaded.append(1))
    view.load_uri(url)
    spin(lambda: loaded, 60)
    view.disconnect(handler)


def main() -> None:
    profile, steps = sys.argv[1], json.loads(sys.argv[2])
    manager = WebKit2.WebsiteDataManager(
        base_data_directory=f"{profile}/data", base_cache_directory=f"{profile}/cache"
    )
    context = WebKit2.WebContext.new_with_website_data_manager(manager)
    view = WebKit2.WebView.new_with_context(context)
    view.connect("permission-request", lambda _v, request: request.allow() or True)
    view.get_settings().set_enable_write_console_messages_to_stdout(True)  # console → stderr below
    window = Gtk.OffscreenWindow()
    window.set_default_size(390, 800)
    window.add(view)
    window.show_all()
    results = []
    for step in steps:
        if "load" in step:
            load(view, step["load"])
        elif "wait" in step:
            deadline = time.monotonic() + step.get("timeout", 30)
            while not call(view, f"return Boolean({step['wait']});"):
                if time.monotonic() > deadline:
                    page = call(view, "return [location.href, document.body.innerText.slice(0, 400)];")
                    raise TimeoutError(f"waited for {step['wait']} on {page}")
                pump(0.2)
        else:
            results.append(call(view, step["eval"], step.get("timeout", 60)))
    print("RESULTS " + json.dumps(results))
    pump(1.0)  # let IndexedDB and the caches reach the disk before the "browser" closes


if __name__ == "__main__":
    main()
