// The three ways a file reaches the composer: the attach button (a file picker), dropping
// files onto the conversation, and pasting an image (a screenshot) into the message field.
// Each hands the files to `onFiles(files)`; `enabled()` tells whether files are taken now.

/** True when a drag carries files (not text or a link dragged within the page). */
function carriesFiles(event) {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}

/** `button` opens `picker` (an `<input type=file multiple>`). */
export function acceptPicked(button, picker, onFiles) {
  button.addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    if (picker.files.length > 0) onFiles([...picker.files]);
    picker.value = ''; // the same file may be chosen again
  });
}

/**
 * Files dropped on `zone`, which has the class `drop-target` while files hover over it. A file
 * dropped anywhere else on the page is ignored (the browser would otherwise open it in place
 * of the page).
 */
export function acceptDropped(zone, enabled, onFiles) {
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (event) => {
      if (carriesFiles(event)) event.preventDefault();
    });
  }
  // dragenter/dragleave fire for every child crossed: count them to know when the drag left.
  let depth = 0;
  const setHover = (hover) => zone.classList.toggle('drop-target', hover);
  zone.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event) || !enabled()) return;
    event.preventDefault();
    depth += 1;
    setHover(true);
  });
  zone.addEventListener('dragover', (event) => {
    if (!carriesFiles(event) || !enabled()) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) setHover(false);
  });
  zone.addEventListener('drop', (event) => {
    depth = 0;
    setHover(false);
    if (!carriesFiles(event) || !enabled()) return;
    event.preventDefault(); // else the browser opens the file in place of the page
    const files = [...event.dataTransfer.files];
    if (files.length > 0) onFiles(files);
  });
}

/** Files pasted into `target` (a screenshot from the clipboard), instead of their names as text. */
export function acceptPasted(target, enabled, onFiles) {
  target.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0 || !enabled()) return;
    event.preventDefault();
    onFiles(files);
  });
}
