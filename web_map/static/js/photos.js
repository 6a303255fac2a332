// Photos taken in the field, prepared on the phone.

/** Scale a camera photo down on the phone before it waits in the outbox: a 12 MP photo
 *  becomes a few hundred kB, which matters on a weak connection. The server re-encodes
 *  whatever arrives, so a photo the browser cannot decode is sent as it is. */
export async function shrinkPhoto(file, maxSide = 2560, quality = 0.85) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 2_000_000) return file;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    return blob || file;
  } catch (_) {
    return file;
  }
}
