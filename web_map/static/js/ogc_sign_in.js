// The sign-in for the OGC API pages. A browser following a link sends no token, so a page
// that needs one comes back as this sign-in; with the map's token (or after signing in
// here) the page is fetched again with it and shown in place.
import * as api from "./api.js";
import { inBoth } from "./i18n.js";

const $ = (id) => document.getElementById(id);

async function showWithToken() {
  const response = await fetch(location.href, { headers: { ...api.authHeaders(), Accept: "text/html" } });
  if (response.status === 401) return false;
  const page = await response.text();
  document.open();
  document.write(page);
  document.close();
  return true;
}

function askToSignIn() {
  $("ogc-loading").hidden = true;
  $("ogc-sign-in").hidden = false;
  $("username").value = api.rememberedUser()?.username || "";
  ($("username").value ? $("password") : $("username")).focus();
  $("ogc-sign-in-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("sign-in-error").hidden = true;
    try {
      await api.signIn($("username").value.trim(), $("password").value);
      if (!(await showWithToken())) throw new Error("refused");
    } catch (err) {
      const { message, message_zh: zh, code } = err.body || {};
      $("sign-in-error").textContent = message || zh ? `${zh || ""} ${message || ""}`.trim()
        : inBoth(code === "sign_in_needs_network" ? code : "sign_in_failed");
      $("sign-in-error").hidden = false;
    }
  });
}

if (!(api.token() && (await showWithToken().catch(() => false)))) askToSignIn();
