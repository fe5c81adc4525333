// Luma's camera concepts, recognised in plain prompt text. Matching is on a normalised copy of the
// prompt (lower case, "-" and "_" as spaces) so "Orbit-Left", "orbit_left" and "orbits to the
// left" all count; longer phrases are matched first and consumed, so "aerial drone" is one move,
// not "aerial" plus a drone.

export const CAMERA_WORDS = [
  'truck_left', 'truck_right', 'pan_left', 'pan_right', 'tilt_up', 'tilt_down',
  'pedestal_up', 'pedestal_down', 'crane_up', 'crane_down', 'roll_left', 'roll_right',
  'orbit_left', 'orbit_right', 'zoom_in', 'zoom_out', 'push_in', 'pull_out', 'dolly_zoom',
  'static', 'handheld', 'aerial', 'aerial_drone', 'bolt_cam', 'tiny_planet', 'elevator_doors',
  'low_angle', 'high_angle', 'overhead', 'eye_level', 'ground_level', 'over_the_shoulder', 'pov',
  'selfie',
] as const;
export type CameraWord = (typeof CAMERA_WORDS)[number];

// Verb forms: "pan", "pans", "panning", "panned"; an optional "to the" / "towards the" before a
// direction; an optional adverb ("slowly") between verb and direction.
const verb = (stem: string): string => `${stem}(?:s|es|ed|d|ing|ning|ned)?`;
const dir = (d: string): string => `(?:\\w+ly )?(?:(?:to|towards|toward) (?:the )?)?${d}`;
const move = (stem: string, d: string): RegExp => new RegExp(`\\b${verb(stem)} ${dir(d)}\\b`);

/** Phrases per word, most specific first. Each is tried on the normalised prompt. */
const PHRASES: [CameraWord, RegExp[]][] = [
  ['aerial_drone', [/\baerial drone\b/, /\bdrone(?:s)?(?: shot| footage| view| flight| camera)?\b/, /\bfpv\b/]],
  ['dolly_zoom', [/\bdolly zoom\b/, /\bvertigo(?: effect| shot)?\b/, /\bzolly\b/, /\bcontra zoom\b/]],
  ['over_the_shoulder', [/\bover (?:the |her |his |their )?shoulder\b/, /\bots shot\b/]],
  ['elevator_doors', [/\belevator doors?\b/]],
  ['tiny_planet', [/\b(?:tiny|little) planet\b/]],
  ['bolt_cam', [/\bbolt ?cam\b/, /\bbolt camera\b/]],
  ['ground_level', [/\bground level\b/, /\bground view\b/]],
  ['eye_level', [/\beye level\b/]],
  ['low_angle', [/\blow angle\b/, /\bworm'?s eye\b/, /\blooking up at\b/]],
  ['high_angle', [/\bhigh angle\b/, /\blooking down (?:at|on)\b/]],
  ['overhead', [/\boverhead\b/, /\btop down\b/, /\bbird'?s eye\b/]],
  ['push_in', [move('push', 'in'), move('push', 'forward'), move('dolly', 'in'), move('dolly', 'forward'), /\bpush in\b/]],
  ['pull_out', [move('pull', 'out'), move('pull', 'back'), move('dolly', 'out'), move('dolly', 'back')]],
  ['zoom_in', [move('zoom', 'in'), /\bzoom(?:s|ing)? into\b/, /\bzoom in\b/]],
  ['zoom_out', [move('zoom', 'out'), /\bzoom out\b/]],
  ['truck_left', [move('truck', 'left'), move('track', 'left'), move('strafe', 'left')]],
  ['truck_right', [move('truck', 'right'), move('track', 'right'), move('strafe', 'right')]],
  ['pan_left', [move('pan', 'left')]],
  ['pan_right', [move('pan', 'right')]],
  ['tilt_up', [move('tilt', 'up'), move('tilt', 'upwards?')]],
  ['tilt_down', [move('tilt', 'down'), move('tilt', 'downwards?')]],
  ['pedestal_up', [move('pedestal', 'up'), move('boom', 'up')]],
  ['pedestal_down', [move('pedestal', 'down'), move('boom', 'down')]],
  ['crane_up', [move('crane', 'up'), move('jib', 'up'), /\bcrane shot\b/]],
  ['crane_down', [move('crane', 'down'), move('jib', 'down')]],
  ['roll_left', [move('roll', 'left'), move('roll', 'counter ?clockwise'), move('roll', 'anti ?clockwise')]],
  ['roll_right', [move('roll', 'right'), move('roll', 'clockwise')]],
  ['orbit_left', [move('orbit', 'left'), move('arc', 'left'), move('circle', 'left'), /\borbit(?:s|ing)? (?:around )?(?:\w+ ){0,4}?(?:to the )?left\b/]],
  ['orbit_right', [move('orbit', 'right'), move('arc', 'right'), move('circle', 'right'), /\borbit(?:s|ing)? (?:around )?(?:\w+ ){0,4}?(?:to the )?right\b/]],
  ['handheld', [/\bhand ?held\b/, /\bshaky cam(?:era)?\b/]],
  ['aerial', [/\baerial\b/, /\bflyover\b/, /\bfly over\b/]],
  ['static', [/\bstatic(?: camera| shot)?\b/, /\blocked off\b/, /\btripod\b/, /\bstill camera\b/]],
  ['pov', [/\bpov\b/, /\bpoint of view\b/, /\bfirst person\b/]],
  ['selfie', [/\bselfie\b/]],
];

/** Lower case, separators as spaces, punctuation dropped, single spaces. */
export function normalisePrompt(prompt: string): string {
  return ` ${prompt.toLowerCase().replace(/[_\-–—]+/g, ' ').replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ').trim()} `;
}

/**
 * The camera words a prompt names, in the order they appear. Unknown text is ignored; an empty
 * list means "no camera words" (the caller then uses a gentle default move).
 *
 * @example
 * cameraWords('Slow push-in, then the camera orbits left'); // ['push_in', 'orbit_left']
 */
export function cameraWords(prompt: string): CameraWord[] {
  let text = normalisePrompt(prompt);
  const found: { word: CameraWord; at: number }[] = [];
  for (const [word, patterns] of PHRASES) {
    for (const re of patterns) {
      const global = new RegExp(re.source, 'g');
      let m: RegExpExecArray | null;
      while ((m = global.exec(text)) !== null) {
        if (!found.some((f) => f.word === word)) found.push({ word, at: m.index });
        // Consume the phrase so shorter phrases inside it ("aerial" in "aerial drone") don't match.
        text = text.slice(0, m.index) + ' '.repeat(m[0].length) + text.slice(m.index + m[0].length);
        global.lastIndex = m.index + m[0].length;
      }
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.word);
}

/** Parses a camera word given as an identifier ("orbit_left", "Orbit Left"); undefined if unknown. */
export function asCameraWord(name: string): CameraWord | undefined {
  const id = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return (CAMERA_WORDS as readonly string[]).includes(id) ? (id as CameraWord) : undefined;
}
