// The SPARQL editor page (offri_kg/web/editor.py): YASGUI against this server's /sparql only.
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Yasqe = Yasgui.Yasqe;

  // Autocompleters: YASQE registers "variables", "prefixes", "property" and "class" into
  // Yasqe.defaults.autocompleters; "property" and "class" ask lov.linkeddata.es. The Yasqe
  // constructor merges its config over Yasqe.defaults with lodash's merge, which merges arrays
  // index by index, so a shorter list in the config alone would not drop them: replace the
  // defaults' list itself. The bundled "prefixes" completer carries prefix.cc's list (spam
  // entries included) and keeps it in localStorage: a fork offers this catalogue's prefixes.
  Yasqe.forkAutocompleter("prefixes", {
    name: "offri-prefixes",
    persistenceId: null,
    get: Object.keys(config.prefixes).sort().map(function (p) { return p + ": <" + config.prefixes[p] + ">"; })
  }, false);
  var completers = ["variables", "offri-prefixes"];
  Yasqe.defaults.autocompleters = completers.slice();

  var yasgui = new Yasgui(root, {
    persistenceId: null,          // no tabs, queries or answers kept in localStorage
    autoAddOnInit: false,         // the stored queries are the tabs
    tabName: config.newTab,
    copyEndpointOnNewTab: true,
    // A link made with "share" (#query=…) opens as a tab, but always against this server.
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = endpoint;
      return tab;
    },
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    yasqe: { autocompleters: completers },
    yasr: { prefixes: config.prefixes }
  });

  var opened = yasgui.getTab() !== undefined;   // a shared link's tab is already open
  config.tabs.forEach(function (tab, index) {
    yasgui.addTab(!opened && index === 0, {
      id: tab.id,
      name: tab.name,
      yasqe: { value: tab.query },
      requestConfig: { endpoint: endpoint }
    });
  });
  window.offriYasgui = yasgui;
})();
