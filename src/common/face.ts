/** Face check rules the server enforces and the web page follows (one definition for both). */

/** A check sends 2–3 frames: the first looking straight, then the movement asked. */
export const MIN_FRAMES = 2;
export const MAX_FRAMES = 3;

/**
 * The longest side of a frame as the browser uploads it. The model sees at most 800 px and a reviewer
 * at most 1080 px, so a 12 MP phone photo (3–5 MB) is shrunk on the phone first: less mobile data, a
 * faster upload and check, and the photo's EXIF block (GPS position, camera serial) never leaves the
 * phone. The camera path captures at this width already. The server accepts any size within its limits.
 */
export const FRAME_UPLOAD_MAX_SIDE = 1280;
