// Interface texts. Chinese is the default; English is one click away.
const TEXTS = {
  zh: {
    app_title: "鄂尔多斯市界线与地名管理系统",
    sign_in: "登录", sign_out: "退出", sign_in_title: "登录",
    sign_in_hint: "请使用您的账号登录。", username: "用户名", password: "密码",
    demo_hint: "演示模式：演示账号及密码见服务启动时的输出。",
    layers: "图层", townships: "苏木乡镇（街道）", lon: "经度", lat: "纬度",
    gk_zone: "高斯-克吕格 3°带", loading: "正在加载…",
    network_error: "无法连接服务器，请检查网络后重试。",
    session_ended: "登录已失效，请重新登录。", no_layers: "没有可查看的图层。",
    area_km2: "面积（km²）", code: "代码", name: "名称", name_romanized: "罗马字母拼写",
    parent_code: "上级代码", county_name: "所属旗区", valid_from: "设立",
    role_admin: "管理员", role_inspector: "界线巡查员", role_placename_officer: "地名管理员",
    role_planner: "规划人员", role_viewer: "访客", map_center: "地图中心",
  },
  en: {
    app_title: "Ordos Boundaries and Place Names",
    sign_in: "Sign in", sign_out: "Sign out", sign_in_title: "Sign in",
    sign_in_hint: "Sign in with your account.", username: "User name", password: "Password",
    demo_hint: "Demo mode: the demo accounts and passwords are printed when the service starts.",
    layers: "Layers", townships: "Townships and subdistricts", lon: "Lon", lat: "Lat",
    gk_zone: "Gauss-Krüger 3° zone", loading: "Loading…",
    network_error: "Cannot reach the server; check the connection and try again.",
    session_ended: "Your sign-in has ended; please sign in again.", no_layers: "No layers to show.",
    area_km2: "Area (km²)", code: "Code", name: "Name", name_romanized: "Romanised name",
    parent_code: "Parent code", county_name: "Banner/district", valid_from: "Created",
    role_admin: "Administrator", role_inspector: "Boundary inspector",
    role_placename_officer: "Place-name officer", role_planner: "Planner", role_viewer: "Viewer",
    map_center: "Map centre",
  },
};

let lang = localStorage.getItem("lang") === "en" ? "en" : "zh";
const listeners = [];

export function currentLang() { return lang; }

export function t(key) { return TEXTS[lang][key] ?? TEXTS.zh[key] ?? key; }

/** Pick the zh or en variant of a {zh, en} object (catalogue titles). */
export function pick(text) { return text ? (text[lang] ?? text.zh) : ""; }

/** The server's error message in the current language. */
export function errorMessage(body, fallbackKey) {
  if (body && (body.message || body.message_zh)) {
    return lang === "zh" ? (body.message_zh || body.message) : (body.message || body.message_zh);
  }
  return t(fallbackKey);
}

export function applyTexts(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("app_title");
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
}

export function onLanguageChange(fn) { listeners.push(fn); }

export function toggleLanguage() {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("lang", lang);
  applyTexts();
  listeners.forEach((fn) => fn(lang));
}
