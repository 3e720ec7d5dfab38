/*
 * Infinite Image Browsing (IIB): the webui page side of the IIB tab.
 *
 * The IIB UI runs in an iframe (#iib-iframe) inside the tab #tab_infinite-image-browsing.
 * It asks the webui page to send an image somewhere with window.parent.postMessage:
 *
 *   { type: "iib/send-to", target, path, id? }
 *     target: "txt2img" | "img2img" | "inpaint" | "extras"      (the host's paste bindings)
 *             | "controlnet" | "controlnet-txt2img" | "controlnet-img2img"   (+ optional unit: 0, 1, ...)
 *             | "outpaint"                                         (openOutpaint)
 *             | any other paste target the host registered (SD.Next: "sketch", "control")
 *     path:   the file's full path as IIB lists it
 *     id:     optional, echoed in the answer
 *   The older form { source: "infinite-image-browsing", action: "send_to", target, path } is accepted too.
 *
 * The page answers the iframe with
 *   { type: "iib/send-to-result", id, target, path, ok: true }
 *   { type: "iib/send-to-result", id, target, path, ok: false, error: "<message>" }
 * and, each time the iframe has loaded, tells it what this webui can receive:
 *   { type: "iib/host", host: "a1111" | "forge" | "sdnext", targets: [...] }
 *
 * Paste targets: the request goes to the server through the hidden gradio button
 * #iib_hidden_img_update_trigger (its _js function iib_take_request hands over the
 * request; the server checks the path against IIB's access policy and loads the image
 * and its generation info into hidden components); then iib_after_load clicks the
 * hidden paste button that IIB registered with the host's generation_parameters_copypaste
 * (#iib_hidden_tab_<target>, or #iib_hidden_tab_<target>_image for images without
 * generation info), so the host pastes the fields and runs its own switch_to_<target>.
 * Tabs are never counted here.
 */
(function () {
  'use strict';

  if (window.__iibWebuiGlue) return;
  window.__iibWebuiGlue = true;

  var TAB_ID = 'tab_infinite-image-browsing';
  var CONTROLNET_TABS = { 'controlnet': 'txt2img', 'controlnet-txt2img': 'txt2img', 'controlnet-img2img': 'img2img' };
  var queue = [];
  var active = null;
  var nextId = 1;

  function root() {
    return typeof gradioApp === 'function' ? gradioApp() : document;
  }

  function $(selector) {
    return root().querySelector(selector);
  }

  function clickable(el) {
    if (!el) return null;
    return el.tagName === 'BUTTON' ? el : el.querySelector('button') || el;
  }

  function tabRoot() {
    return $('#iib-tab');
  }

  function iframe() {
    return $('#iib-iframe');
  }

  function base() {
    var tab = tabRoot();
    return (tab && tab.getAttribute('data-iib-base')) || '/infinite_image_browsing';
  }

  function pasteTargets() {
    var out = [];
    var nodes = root().querySelectorAll('[id^=iib_hidden_tab_]');
    for (var i = 0; i < nodes.length; i++) {
      var id = nodes[i].id.slice('iib_hidden_tab_'.length);
      if (!/_image$/.test(id) && out.indexOf(id) < 0) out.push(id);
    }
    return out;
  }

  function availableTargets() {
    var out = pasteTargets();
    if ($('#txt2img_controlnet')) out.push('controlnet', 'controlnet-txt2img');
    if ($('#img2img_controlnet')) out.push('controlnet-img2img');
    if (typeof window.openoutpaint_send_image === 'function') out.push('outpaint');
    return out;
  }

  function answer(request, ok, error) {
    var frame = iframe();
    var message = { type: 'iib/send-to-result', id: request.id, target: request.target, path: request.path, ok: ok };
    if (!ok) message.error = String(error || 'failed');
    if (!ok && window.console) console.warn('[Infinite image browsing] send to ' + request.target + ': ' + message.error);
    if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, location.origin);
    window.dispatchEvent(new CustomEvent('iib:send-to-result', { detail: message }));
  }

  function finish(ok, error) {
    var request = active;
    active = null;
    if (request) {
      clearTimeout(request.timer);
      answer(request, ok, error);
    }
    setTimeout(pump, 0);
  }

  function normalize(data) {
    if (!data || typeof data !== 'object') return null;
    var isNew = data.type === 'iib/send-to';
    var isOld = data.source === 'infinite-image-browsing' && data.action === 'send_to';
    if (!isNew && !isOld) return null;
    if (typeof data.target !== 'string' || typeof data.path !== 'string' || !data.path) return null;
    var unit = parseInt(data.unit, 10);
    return { id: data.id != null ? data.id : 'iib-' + nextId++, target: data.target, path: data.path, unit: isNaN(unit) ? 0 : unit };
  }

  function send(request) {
    queue.push(request);
    pump();
  }

  function pump() {
    if (active || !queue.length) return;
    active = queue.shift();
    active.timer = setTimeout(function () { finish(false, 'the webui did not answer in time'); }, 60000);
    var run;
    if (CONTROLNET_TABS[active.target]) run = sendToControlNet;
    else if (active.target === 'outpaint') run = sendToOpenOutpaint;
    else run = sendToPasteTarget;
    Promise.resolve().then(function () { return run(active); }).catch(function (err) {
      finish(false, err && err.message ? err.message : err);
    });
  }

  // -- the host's paste bindings ----------------------------------------------------------
  function sendToPasteTarget(request) {
    if (!$('#iib_hidden_tab_' + request.target)) {
      throw new Error('this webui cannot receive images in "' + request.target + '"');
    }
    var trigger = clickable($('#iib_hidden_img_update_trigger'));
    if (!trigger) throw new Error('the Infinite image browsing tab is missing its hidden components');
    request.waiting = true;
    trigger.click(); // -> iib_take_request -> server -> iib_after_load
  }

  // gradio calls this before the server function: it hands the request over.
  window.iib_take_request = function () {
    var r = active && active.waiting ? active : null;
    return [JSON.stringify(r ? { id: r.id, path: r.path, target: r.target } : {})];
  };

  // gradio calls this when the server function has filled the hidden components.
  window.iib_after_load = function (statusText) {
    var status = {};
    try { status = JSON.parse(statusText || '{}'); } catch (e) { status = {}; }
    var request = active;
    if (!request || !request.waiting || String(status.id) !== String(request.id)) return [];
    request.waiting = false;
    if (!status.ok) {
      finish(false, status.error || 'the server refused');
      return [];
    }
    var button = clickable($('#iib_hidden_tab_' + request.target + (status.has_info ? '' : '_image')));
    if (!button) {
      finish(false, 'no paste button for "' + request.target + '"');
      return [];
    }
    button.click(); // the host pastes and runs its own switch_to_<target>
    finish(true);
    return [];
  };

  // -- ControlNet (Mikubill sd-webui-controlnet, Forge's built-in one) -----------------------
  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // A path in a query string: a byte of a name that is not UTF-8 arrives in JSON as a lone
  // surrogate U+DC80 + byte and goes back as %XX (encodeURIComponent throws on it). The same
  // rule as encodeQueryValue in iib_core/web/js/names.js (README: "File names that are not UTF-8").
  function queryValue(text) {
    text = String(text);
    if (!/[\uD800-\uDFFF]/.test(text)) return encodeURIComponent(text);
    var out = '';
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xDC00 && d <= 0xDFFF) { out += encodeURIComponent(text.substr(i, 2)); i++; continue; }
      }
      if (c >= 0xDC80 && c <= 0xDCFF) out += '%' + (c - 0xDC00).toString(16).toUpperCase();
      else if (c >= 0xD800 && c <= 0xDFFF) out += '%EF%BF%BD';
      else out += encodeURIComponent(text.charAt(i));
    }
    return out;
  }

  function fileUrl(path) {
    return base() + '/file?path=' + queryValue(path) + '&t=';
  }

  function basename(path) {
    var parts = String(path).split(/[\\/]/);
    return parts[parts.length - 1] || 'image.png';
  }

  function fetchFile(path) {
    return fetch(fileUrl(path), { credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) throw new Error('cannot read ' + path + ' (HTTP ' + res.status + ')');
      return res.blob();
    }).then(function (blob) {
      return new File([blob], basename(path), { type: blob.type || 'image/png' });
    });
  }

  function switchTo(tab) {
    var fn = window['switch_to_' + tab];
    if (typeof fn === 'function') fn();
  }

  function waitFor(find, ms) {
    var deadline = Date.now() + ms;
    return (function poll() {
      var found = find();
      if (found || Date.now() > deadline) return Promise.resolve(found);
      return sleep(50).then(poll);
    })();
  }

  function isOpen(accordion) {
    var wrap = accordion.querySelector('.label-wrap');
    return !wrap || wrap.classList.contains('open');
  }

  function sendToControlNet(request) {
    var tab = CONTROLNET_TABS[request.target];
    var unit = request.unit || 0;
    var group = $('#' + tab + '_controlnet');
    if (!group) throw new Error('ControlNet is not installed in this webui');
    return fetchFile(request.path).then(function (file) {
      switchTo(tab);
      var accordion = group.querySelector('#controlnet') || group;
      if (!isOpen(accordion)) {
        var wrap = accordion.querySelector('.label-wrap');
        if (wrap) wrap.click();
      }
      var tabs = $('#' + tab + '_controlnet_tabs');
      if (tabs) {
        var buttons = tabs.querySelectorAll('.tab-nav button, [role=tablist] button');
        if (buttons[unit]) buttons[unit].click();
      }
      var box = function () {
        return $('#' + tab + '_controlnet_ControlNet-' + unit + '_input_image') ||
          (unit === 0 ? $('#' + tab + '_controlnet_ControlNet_input_image') : null);
      };
      return waitFor(box, 2000).then(function (container) {
        if (!container) throw new Error('ControlNet unit ' + unit + ' was not found');
        var input = function () {
          return container.querySelector('input[type=file].forge-file-upload') || container.querySelector('input[type=file]');
        };
        if (!input()) { // gradio 3 shows no file input while an image is loaded: clear it first
          var clear = container.querySelector('button[aria-label="Clear"], button[title="Clear"], button[aria-label="Remove Image"]');
          if (clear) clear.click();
        }
        return waitFor(input, 2000).then(function (el) {
          if (!el) throw new Error('ControlNet unit ' + unit + ' has no file input');
          var transfer = new DataTransfer();
          transfer.items.add(file);
          el.files = transfer.files;
          el.dispatchEvent(new Event('change', { bubbles: true }));
          finish(true);
        });
      });
    });
  }

  // -- openOutpaint ----------------------------------------------------------------------------
  function parsePrompt(text) {
    var lines = String(text || '').split('\n');
    var prompt = [];
    var negative = [];
    var inNegative = false;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (/^Steps: /.test(line)) break;
      if (line.indexOf('Negative prompt:') === 0) {
        inNegative = true;
        line = line.slice('Negative prompt:'.length).trim();
      }
      (inNegative ? negative : prompt).push(line);
    }
    return { prompt: prompt.join('\n').trim(), negative: negative.join('\n').trim() };
  }

  function sendToOpenOutpaint(request) {
    if (typeof window.openoutpaint_send_image !== 'function') throw new Error('openOutpaint is not installed in this webui');
    return fetchFile(request.path).then(function (file) {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () { resolve(reader.result); };
        reader.onerror = function () { reject(new Error('cannot read ' + request.path)); };
        reader.readAsDataURL(file);
      });
    }).then(function (dataUrl) {
      window.openoutpaint_send_image(dataUrl, basename(request.path));
      if (typeof window.openoutpaint_gototab === 'function') window.openoutpaint_gototab();
      return fetch(base() + '/image_geninfo?path=' + queryValue(request.path), { credentials: 'same-origin' })
        .then(function (res) { return res.ok ? res.json() : ''; })
        .catch(function () { return ''; });
    }).then(function (geninfo) {
      var frame = $('#openoutpaint-iframe');
      var keyEl = $('#openoutpaint-key');
      var key = keyEl ? (keyEl.value || (keyEl.querySelector('textarea, input') || {}).value || keyEl.textContent) : null;
      if (frame && frame.contentWindow && key && geninfo) {
        var p = parsePrompt(geninfo);
        frame.contentWindow.postMessage({ key: key, type: 'openoutpaint/set-prompt', prompt: p.prompt, negPrompt: p.negative }, '*');
      }
      finish(true);
    });
  }

  // -- the iframe ------------------------------------------------------------------------------
  function frameTop() {
    var frame = iframe();
    if (!frame) return;
    var top = frame.getBoundingClientRect().top + window.scrollY;
    if (top > 0) frame.style.setProperty('--iib-top', Math.round(top + 16) + 'px');
  }

  function startIframe() {
    var frame = iframe();
    if (!frame || frame.__iibStarted) return;
    var visible = frame.getClientRects().length > 0 && frame.offsetWidth > 0;
    if (!visible) return;
    frame.__iibStarted = true;
    frame.addEventListener('load', function () {
      if (frame.contentWindow) {
        var tab = tabRoot();
        frame.contentWindow.postMessage({
          type: 'iib/host', host: tab ? tab.getAttribute('data-iib-host') : '', targets: availableTargets(),
        }, location.origin);
      }
    });
    frameTop();
    frame.src = frame.getAttribute('data-src') || base();
  }

  function onMessage(event) {
    var frame = iframe();
    if (!frame || event.source !== frame.contentWindow) return;
    if (event.origin !== location.origin) return;
    var request = normalize(event.data);
    if (request) send(request);
  }

  function setup() {
    if (setup.done) return;
    setup.done = true;
    window.addEventListener('message', onMessage);
    window.addEventListener('resize', frameTop);
    if (typeof onUiTabChange === 'function') onUiTabChange(startIframe);
    watchIframe();
  }

  // Start the UI the first time the tab is shown (ResizeObserver sees display:none -> block).
  function watchIframe() {
    var frame = iframe();
    if (!frame) { // not rendered yet
      setTimeout(watchIframe, 300);
      return;
    }
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(function () { startIframe(); frameTop(); }).observe(frame);
    }
    startIframe();
  }

  // Lets other extensions and scripts send without the iframe: iibSendTo('txt2img', '/path/a.png').
  window.iibSendTo = function (target, path, extra) {
    var request = normalize(Object.assign({ type: 'iib/send-to', target: target, path: path }, extra || {}));
    if (request) send(request);
    return request ? request.id : null;
  };

  if (typeof onUiLoaded === 'function') {
    onUiLoaded(setup);
  } else { // a host without onUiLoaded: wait for our tab to exist
    var wait = function () { if (iframe()) setup(); else setTimeout(wait, 200); };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wait);
    else wait();
  }
})();
