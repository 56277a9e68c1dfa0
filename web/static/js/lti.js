// LTI pages: leave for the platform once cookies are known to work, and submit the
// deep-linking response form.  An external file, because the pages forbid inline scripts.
"use strict";
(function () {
  var login = document.getElementById("lti-login");
  if (login) {
    document.cookie = "lti1p3-cookie-check=1; Path=/; SameSite=None; Secure; Partitioned";
    if (navigator.cookieEnabled && document.cookie.indexOf("lti1p3-cookie-check=1") !== -1) {
      window.location.replace(login.dataset.authUrl);
    } else {
      document.getElementById("lti-loading").hidden = true;
      document.getElementById("lti-blocked").hidden = false;
    }
  }
  var form = document.querySelector("form[data-auto-submit]");
  if (form) {
    form.submit();
  }
})();
