// Photo questions, with JavaScript: the chosen picture is made smaller on the phone (longest side
// 1600 px, JPEG) before it is sent, shown as a preview, and can be removed again. Without
// JavaScript, or in a browser that cannot replace a file input's file, the picture is sent as it
// is and the server does the same work. The server cleans every picture either way.
(function () {
  "use strict";

  var QUALITY = 0.8;
  var PREVIEW_SIDE = 320;

  function supported() {
    if (!window.Promise || !window.FileReader || !HTMLCanvasElement.prototype.toBlob) {
      return false;
    }
    try {
      return Boolean(new window.DataTransfer().items);
    } catch (error) {
      return false; // no DataTransfer constructor: the file input's file cannot be replaced
    }
  }

  // Decode the file into something a canvas can draw, turned upright by its EXIF orientation.
  function decode(file) {
    if (window.createImageBitmap) {
      return window.createImageBitmap(file).catch(function () {
        return viaImage(file);
      });
    }
    return viaImage(file);
  }

  // The page's Content-Security-Policy allows data: images, not blob: ones.
  function viaImage(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = reject;
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function draw(source, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(source.width, source.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(source.width * scale));
    canvas.height = Math.max(1, Math.round(source.height * scale));
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // transparent parts become white, as on the server
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = "high";
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  function toJpeg(canvas) {
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) {
        if (blob) { resolve(blob); } else { reject(new Error("toBlob")); }
      }, "image/jpeg", QUALITY);
    });
  }

  function kilobytes(bytes) {
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function setUp(input) {
    var box = input.closest("[data-photo]");
    var preview = box.querySelector("[data-photo-preview]");
    var status = box.querySelector("[data-photo-status]");
    var remove = preview.querySelector("button");
    var image = document.createElement("img");
    image.alt = box.getAttribute("data-alt");
    preview.insertBefore(image, remove);
    var buttons = input.form.querySelectorAll("button[type=submit]");
    var maxSide = parseInt(input.getAttribute("data-max-side"), 10) || 1600;

    function busy(on) {
      Array.prototype.forEach.call(buttons, function (button) { button.disabled = on; });
      input.setAttribute("aria-busy", on ? "true" : "false");
    }

    function clear(message) {
      input.value = "";
      preview.hidden = true;
      image.removeAttribute("src");
      status.textContent = message || "";
    }

    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        clear("");
        return;
      }
      busy(true);
      status.textContent = box.getAttribute("data-msg-preparing");
      decode(file)
        .then(function (source) {
          var canvas = draw(source, maxSide);
          var small = draw(canvas, PREVIEW_SIDE);
          if (source.close) { source.close(); }
          return toJpeg(canvas).then(function (blob) {
            var resized = new File([blob], "photo.jpg", { type: "image/jpeg" });
            var transfer = new window.DataTransfer();
            transfer.items.add(resized);
            input.files = transfer.files;
            image.src = small.toDataURL("image/jpeg", 0.7);
            preview.hidden = false;
            status.textContent = box.getAttribute("data-msg-ready")
              .replace("%(size)s", kilobytes(resized.size));
          });
        })
        .catch(function () {
          // Not decodable here (an unusual format): send it as it is; the server decides.
          status.textContent = box.getAttribute("data-msg-as-is");
        })
        .then(function () { busy(false); });
    });

    remove.addEventListener("click", function () {
      clear(box.getAttribute("data-msg-removed"));
      input.focus();
    });
  }

  function start() {
    if (!supported()) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-photo] input[type=file]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
