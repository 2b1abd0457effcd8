// The query page: YASGUI on this endpoint, the release's prefixes, the example menu.
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  if (!element || typeof Yasgui === "undefined") return;
  var prefixes = JSON.parse(document.getElementById("sparql-prefixes").textContent);
  var declarations = Object.keys(prefixes).map(function (p) {
    return "PREFIX " + p + ": <" + prefixes[p] + ">";
  }).join("\n");
  Yasgui.Yasqe.defaults.value = declarations +
    "\n\nSELECT ?crime ?month ?category WHERE {\n  ?crime a pol:RecordedCrime ; pol:month ?month ; pol:category ?category .\n}\nLIMIT 20\n";
  var yasgui = new Yasgui(element, {
    requestConfig: { endpoint: element.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: element.dataset.endpoint }]; } },
    persistenceId: "met-gateway-sparql",
    // A link to /sparql?query=... opens the query in a tab and runs it; whatever else the
    // link says, the query goes to this endpoint.
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = element.dataset.endpoint;
      return tab;
    }
  });
  if (/[?&]query=/.test(window.location.search)) element.scrollIntoView();
  var buttons = document.querySelectorAll(".sparql-example");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var tab = yasgui.addTab(true);
      tab.setName(button.textContent);
      tab.setQuery(button.dataset.query);
      tab.query();
    });
  });
})();
