// Server error codes (docs/protocol.md, "Error") in words a person understands, with what to do about them.

const WORDS = {
  BAD_JSON: 'The page sent something the server could not read.',
  MESSAGE_TOO_LARGE: 'The page sent a message larger than the server accepts.',
  UNKNOWN_ACTION: 'The server does not know that request.',
  MISSING_FIELD: 'A request was missing something the server needs.',
  INVALID_FIELD: 'A request carried a value the server does not accept.',
  NOT_IN_ROOM: 'You are not in a room (anymore). Join again.',
  ALREADY_IN_ROOM: 'You are already in a room; leave it first.',
  ROOM_KIND_MISMATCH: 'This room already exists as another kind (m2m or p2m); pick the kind it has.',
  ROOM_FULL: 'The room is full: there is no free place for you right now.',
  FORBIDDEN: 'Your access token does not allow this.',
  NO_ADMIN: 'Nobody who can accept requests (an owner or admin) is in the room.',
  NOT_PUBLISHER: 'Only publishers can send media; ask to publish first.',
  ALREADY_PUBLISHER: 'You are already publishing.',
  PARTICIPANT_NOT_FOUND: 'That person is no longer in the room.',
  STATION_NOT_FOUND: 'That video is no longer in the room.',
  NO_PENDING_REQUEST: 'That request was already answered.',
  NOT_SUPPORTED: 'This room kind does not support that.',
  NO_MUNIT_AVAILABLE: 'No media server can take the video right now; try again in a moment.',
  MUNIT_TIMEOUT: 'The media server did not answer in time.',
  MUNIT_ERROR: 'The media server refused.',
  BUSY: 'The room is busy; try again.',
  INTERNAL_ERROR: 'The server ran into a problem; try again later.',
  STORE_UNAVAILABLE: 'The server cannot reach its room store right now; try again in a moment.',
};

/** "The room is full: … (ROOM_FULL: Room x has no free publisher slot)". */
export function errorInWords(error) {
  const words = WORDS[error.code] ?? 'The server answered with an error.';
  const detail = error.message ? `${error.code}: ${error.message}` : error.code;
  return `${words} (${detail})`;
}
