// Order Settings: while Import Amazon Orders is Disabled every other field is disabled;
// Processing Order Status is enabled only with Custom Order Status. No reload needed.
(function () {
  "use strict";
  var form = document.getElementById("order-settings");
  if (!form) return;
  var field = function (name) { return form.querySelector('[data-setting="' + name + '"]'); };
  var importOrders = field("import_orders");
  var orderStatus = field("order_status");
  var processing = field("processing_order_status");
  var others = Array.prototype.slice.call(form.querySelectorAll("[data-setting]")).filter(function (el) {
    return el !== importOrders;
  });

  function apply() {
    var enabled = importOrders.value === "enabled";
    others.forEach(function (el) { el.disabled = !enabled; });
    if (processing) processing.disabled = !enabled || orderStatus.value !== "custom";
  }
  importOrders.addEventListener("change", apply);
  orderStatus.addEventListener("change", apply);
  apply();
})();
