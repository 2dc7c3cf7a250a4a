// Signed out: the field pages kept for offline use (names, the form token) are dropped.
// Inspections still waiting to be sent stay in IndexedDB until they are sent.
"use strict";
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.getRegistration("/field").then((registration) => {
    if (registration && registration.active) registration.active.postMessage({ forget: true });
  }).catch(() => {});
}
