// Credentials for the server's API, kept for this tab in sessionStorage:
// basic user/password or a bearer token. When a call answers 401, api.js asks
// for them with a small sign-in form and retries.

import { el, replace } from "./dom.js";

const kKey = "armada.auth";
let pending = null; // the sign-in in progress, shared by calls that wait on it
const listeners = [];

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(kKey) || "null");
  } catch {
    return null;
  }
}

export function authorizationHeader() {
  const auth = load();
  if (!auth) return "";
  if (auth.kind === "bearer") return `Bearer ${auth.token}`;
  const bytes = new TextEncoder().encode(`${auth.user}:${auth.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

// Who the UI acts as: the basic user, "token", or "" (the server's
// anonymous or configured principal).
export function actingAs() {
  const auth = load();
  if (!auth) return "";
  return auth.kind === "bearer" ? "bearer token" : auth.user;
}

export function onAuthChange(listener) {
  listeners.push(listener);
}

function save(auth) {
  if (auth) sessionStorage.setItem(kKey, JSON.stringify(auth));
  else sessionStorage.removeItem(kKey);
  for (const listener of listeners) listener();
}

export function signOut() {
  save(null);
}

// Shows the sign-in form; resolves once the user submits it.
export function requestSignIn(message) {
  if (pending) return pending;
  pending = new Promise((resolve) => {
    const dialog = document.getElementById("signin");
    const kind = el("select", { name: "kind" },
      el("option", { value: "basic" }, "user and password"),
      el("option", { value: "bearer" }, "bearer token"));
    const user = el("input", { name: "user", autocomplete: "username", placeholder: "user" });
    const password = el("input", { name: "password", type: "password",
      autocomplete: "current-password", placeholder: "password" });
    const token = el("textarea", { name: "token", rows: 3, placeholder: "token", hidden: true });
    kind.addEventListener("change", () => {
      const bearer = kind.value === "bearer";
      user.hidden = bearer;
      password.hidden = bearer;
      token.hidden = !bearer;
    });
    const form = el("form", { method: "dialog" },
      el("h2", {}, "Sign in"),
      el("p", { class: "error" }, message),
      el("label", {}, "Method ", kind),
      user, password, token,
      el("div", { class: "buttons" }, el("button", { type: "submit" }, "Sign in")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save(kind.value === "bearer"
        ? { kind: "bearer", token: token.value.trim() }
        : { kind: "basic", user: user.value, password: password.value });
      dialog.close();
      pending = null;
      resolve();
    });
    replace(dialog, form);
    dialog.showModal();
  });
  return pending;
}
