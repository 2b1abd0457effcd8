// Swagger UI on the gateway's own OpenAPI document (vendored, no CDN).
window.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: holder.dataset.openapi,
    domNode: holder,
    deepLinking: true,
    tryItOutEnabled: true,
    validatorUrl: null, // no call to validator.swagger.io: nothing leaves the gateway
  });
});
