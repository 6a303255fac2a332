// The sign-in for the OGC API pages. A browser following a link sends no token, so a page
// that needs one comes back as this sign-in; with the map's token (or after signing in
// here) the page is fetched again with it and shown in place.
import * as api from "./api.js";

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
      const zh = err.body?.message_zh || "登录失败。";
      const en = err.body?.message || "Sign-in failed.";
      $("sign-in-error").textContent = `${zh} ${en}`;
      $("sign-in-error").hidden = false;
    }
  });
}

if (!(api.token() && (await showWithToken().catch(() => false)))) askToSignIn();
