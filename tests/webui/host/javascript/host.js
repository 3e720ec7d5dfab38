// The host page's own helpers, as extensions find them in A1111/Forge:
// gradioApp, onUiLoaded (fires once #txt2img_prompt exists), onUiUpdate, updateInput,
// and switch_to_* that click the #tabs buttons by index (the host knows its tabs).
function gradioApp() {
  var elems = document.getElementsByTagName('gradio-app');
  var elem = elems.length === 0 ? document : elems[0];
  if (elem !== document) elem.getElementById = function (id) { return document.getElementById(id); };
  return elem.shadowRoot ? elem.shadowRoot : elem;
}

var uiLoadedCallbacks = [];
var uiUpdateCallbacks = [];
var uiLoadedDone = false;

function onUiLoaded(callback) { uiLoadedCallbacks.push(callback); }
function onUiUpdate(callback) { uiUpdateCallbacks.push(callback); }

function executeCallbacks(queue, arg) {
  for (var i = 0; i < queue.length; i++) {
    try { queue[i](arg); } catch (e) { console.error('error running callback', queue[i], e); }
  }
}

document.addEventListener('DOMContentLoaded', function () {
  var observer = new MutationObserver(function (mutations) {
    if (!uiLoadedDone && gradioApp().querySelector('#txt2img_prompt')) {
      uiLoadedDone = true;
      executeCallbacks(uiLoadedCallbacks);
    }
    executeCallbacks(uiUpdateCallbacks, mutations);
  });
  observer.observe(gradioApp(), { childList: true, subtree: true });
});

function updateInput(target) {
  var e = new Event('input', { bubbles: true });
  Object.defineProperty(e, 'target', { value: target });
  target.dispatchEvent(e);
}

function hostTabButtons() {
  return gradioApp().querySelector('#tabs').querySelectorAll('button');
}

function switch_to_txt2img() {
  hostTabButtons()[0].click();
  return Array.from(arguments);
}

function switch_to_img2img_tab(no) {
  hostTabButtons()[1].click();
  gradioApp().getElementById('mode_img2img').querySelectorAll('button')[no].click();
}

function switch_to_img2img() {
  switch_to_img2img_tab(0);
  return Array.from(arguments);
}

function switch_to_inpaint() {
  switch_to_img2img_tab(1);
  return Array.from(arguments);
}

function switch_to_extras() {
  hostTabButtons()[2].click();
  return Array.from(arguments);
}
