// The scene vocabulary: what a text-to-video prompt can ask a scene to contain. Words are matched on
// the engine's normalised prompt (lower case, punctuation dropped), with simple plural and -y forms;
// everything not listed is ignored. What is not said is chosen from the prompt's hash among the
// combinations that look right with what was said (docs/text-to-video.md has the whole table).
import { normalisePrompt } from '../vocabulary.ts';
import { hashString, Rng } from './random.ts';

export type TimeOfDay = 'dawn' | 'day' | 'sunset' | 'dusk' | 'night';
export type Terrain = 'mountains' | 'hills' | 'forest' | 'desert' | 'city';
export type Mood = 'calm' | 'dramatic' | 'dreamy' | 'mysterious' | 'cheerful' | 'melancholy' | 'epic';
export const COLOUR_NAMES = ['red', 'orange', 'yellow', 'gold', 'green', 'teal', 'cyan', 'blue', 'purple', 'pink', 'magenta', 'white'] as const;
export type ColourName = (typeof COLOUR_NAMES)[number];

/** What a prompt asks for, fully decided: the painter reads only this (and the seed). */
export interface SceneSpec {
  seed: number;
  time: TimeOfDay;
  terrain: Terrain[];
  water: boolean;
  rain: boolean;
  snow: boolean;
  fog: boolean;
  storm: boolean;
  clouds: boolean;
  stars: boolean;
  neon: boolean;
  /** Lit windows: a city at dusk or night, or "city lights". */
  lights: boolean;
  fire: boolean;
  /** The fire is a volcano's: it burns on the summit of the nearest mountains. */
  volcano: boolean;
  /** Colours of the sky and light (a colour word not bound to a thing below). */
  colours: ColourName[];
  /** A colour word just before a land or water word ("green hills", "turquoise sea") tints that. */
  landColour: ColourName | null;
  waterColour: ColourName | null;
  mood: Mood | null;
  /** The scene words found, in vocabulary order (for logs and docs). */
  words: string[];
}

/** One vocabulary entry: the phrases that name it. `\b` anchors are added around each. */
const W = (...phrases: string[]): RegExp => new RegExp(`\\b(?:${phrases.join('|')})\\b`);

const TIMES: [TimeOfDay, RegExp][] = [
  ['sunset', W('sunsets?', 'golden hour', 'evening', 'sundown')],
  ['dawn', W('dawn', 'sunrise', 'sunrises', 'morning', 'daybreak')],
  ['dusk', W('dusk', 'twilight', 'blue hour', 'gloaming')],
  ['night', W('night', 'nights', 'nighttime', 'midnight', 'moon', 'moonlit', 'moonlight', 'nocturnal', 'dark')],
  ['day', W('day', 'daytime', 'noon', 'midday', 'sunny', 'sunshine', 'afternoon', 'bright', 'daylight', 'sun')],
];

const TERRAIN: [Terrain, RegExp][] = [
  ['mountains', W('mountains?', 'mountainous', 'peaks?', 'alps', 'alpine', 'summits?', 'ridges?', 'cliffs?', 'volcano(?:es)?')],
  ['hills', W('hills?', 'hillside', 'valley', 'valleys', 'meadows?', 'fields?', 'countryside', 'plains?', 'grass(?:land)?')],
  ['forest', W('forests?', 'woods?', 'woodland', 'trees?', 'pines?', 'jungle', 'rainforest', 'taiga')],
  ['desert', W('deserts?', 'dunes?', 'sand', 'sandy', 'sahara', 'arid', 'canyon')],
  ['city', W('city', 'cities', 'skyline', 'skyscrapers?', 'downtown', 'street', 'streets', 'town', 'buildings?', 'urban', 'metropolis', 'tokyo', 'new york', 'cyberpunk', 'rooftops?', 'alley')],
];

const FLAGS = {
  water: W('ocean', 'oceans', 'sea', 'seas', 'lake', 'lakes', 'river', 'rivers', 'water', 'waters', 'bay', 'beach', 'coast', 'shore', 'harbou?r', 'waves?', 'pond', 'reflections?'),
  rain: W('rain', 'rainy', 'raining', 'rainfall', 'drizzle', 'downpour', 'showers?', 'rainstorm', 'monsoon'),
  snow: W('snow', 'snowy', 'snowing', 'snowfall', 'snowflakes?', 'blizzard', 'winter', 'frost', 'frosty', 'icy'),
  fog: W('fog', 'foggy', 'mist', 'misty', 'haze', 'hazy', 'smoke', 'smoky', 'clouds? of steam'),
  storm: W('storm', 'stormy', 'thunder', 'thunderstorm', 'lightning', 'tempest'),
  clouds: W('clouds?', 'cloudy', 'overcast', 'sky full of clouds'),
  stars: W('stars?', 'starry', 'starlit', 'starlight', 'milky way', 'galaxy', 'cosmos', 'constellations?', 'night sky'),
  neon: W('neon', 'neons', 'cyberpunk', 'synthwave', 'vaporwave', 'signage', 'glowing signs?', 'blade runner'),
  lights: W('city lights', 'lights', 'lit windows', 'windows', 'lanterns?', 'street ?lights?', 'glowing'),
  fire: W('fire', 'fires', 'flames?', 'campfire', 'bonfire', 'burning', 'embers?', 'blaze', 'inferno', 'lava'),
  volcano: W('volcano(?:es)?', 'volcanic', 'lava', 'erupting', 'eruption', 'magma'),
};

const COLOURS: [ColourName, RegExp][] = [
  ['red', W('red', 'crimson', 'scarlet', 'ruby')],
  ['orange', W('orange', 'amber', 'copper')],
  ['yellow', W('yellow', 'lemon')],
  ['gold', W('gold', 'golden')],
  ['green', W('green', 'emerald', 'lush', 'verdant')],
  ['teal', W('teal', 'turquoise', 'aqua')],
  ['cyan', W('cyan')],
  ['blue', W('blue', 'azure', 'navy', 'sapphire', 'cobalt')],
  ['purple', W('purple', 'violet', 'lavender', 'indigo')],
  ['pink', W('pink', 'rose', 'pastel')],
  ['magenta', W('magenta', 'fuchsia')],
  ['white', W('white', 'silver', 'pale')],
];

const MOODS: [Mood, RegExp][] = [
  ['dramatic', W('dramatic', 'intense', 'ominous', 'dark and', 'moody', 'powerful')],
  ['epic', W('epic', 'majestic', 'grand', 'vast', 'cinematic', 'breathtaking')],
  ['mysterious', W('mysterious', 'eerie', 'spooky', 'haunted', 'creepy', 'mystic(?:al)?', 'gloomy')],
  ['dreamy', W('dreamy', 'dreamlike', 'dream', 'ethereal', 'magical', 'fantasy', 'surreal', 'soft')],
  ['melancholy', W('melancholy', 'melancholic', 'sad', 'lonely', 'somber', 'sombre', 'bleak', 'cold')],
  ['cheerful', W('cheerful', 'happy', 'joyful', 'vibrant', 'playful', 'colorful', 'colourful', 'warm')],
  ['calm', W('calm', 'serene', 'peaceful', 'tranquil', 'quiet', 'gentle', 'relaxing', 'still', 'slow')],
];

/**
 * Reads a prompt into a complete scene. Deterministic: the same prompt always gives the same spec.
 *
 * @example
 * readScene('snowy night in the city'); // { time: 'night', terrain: ['city'], snow: true, lights: true, … }
 */
export function readScene(prompt: string): SceneSpec {
  const text = normalisePrompt(prompt);
  const seed = hashString(text.trim());
  const rng = new Rng(seed).fork('words');
  const words: string[] = [];
  const has = (name: string, re: RegExp): boolean => {
    const hit = re.test(text);
    if (hit) words.push(name);
    return hit;
  };
  const times = TIMES.filter(([name, re]) => has(name, re)).map(([name]) => name);
  const terrain = TERRAIN.filter(([name, re]) => has(name, re)).map(([name]) => name);
  const flag = Object.fromEntries(Object.entries(FLAGS).map(([name, re]) => [name, has(name, re)])) as Record<keyof typeof FLAGS, boolean>;
  const colours = COLOURS.filter(([name, re]) => has(name, re)).map(([name]) => name);
  // A colour bound to the word after it (up to one word between: "green rolling hills").
  const bound = (nouns: RegExp): ColourName | null => {
    for (const [name, re] of COLOURS) {
      const m = new RegExp(`${re.source} (\\w+)(?: (\\w+))?`).exec(text);
      if (m && (nouns.test(` ${m[1]} `) || (m[2] !== undefined && nouns.test(` ${m[2]} `)))) return name;
    }
    return null;
  };
  const season = /\b(?:autumn|autumnal|fall foliage|autumn leaves)\b/.test(text) ? 'orange' : null;
  if (season) words.push('autumn');
  const landColour = season ?? bound(W('hills?', 'fields?', 'grass', 'meadows?', 'forests?', 'trees?', 'woods', 'mountains?', 'peaks?', 'dunes?', 'sand', 'valley', 'jungle', 'leaves'));
  const waterColour = bound(FLAGS.water);
  const skyColours = colours.filter((c) => c !== landColour && c !== waterColour);
  const mood = MOODS.find(([name, re]) => has(name, re))?.[0] ?? null;

  // Time of day: the first named wins, in TIMES' order of specificity ("sunset" beats "sun");
  // otherwise what the other words imply (neon and stars are night things), otherwise the hash.
  const time: TimeOfDay = times[0] ?? (flag.neon || flag.stars ? 'night' : flag.lights ? 'dusk' : rng.pick(['day', 'sunset', 'dawn', 'dusk', 'day'] as const));
  if (flag.storm) flag.clouds = true;
  if (flag.volcano) {
    flag.fire = true;
    if (!terrain.includes('mountains')) terrain.push('mountains');
  }
  if (flag.storm && !flag.snow) flag.rain = true;
  // Neon hangs on buildings; without terrain or water words, a scene gets a landscape of the hash.
  if (flag.neon && !terrain.includes('city')) terrain.push('city');
  if (terrain.length === 0 && !flag.water) {
    const fallback = rng.pick([['mountains'], ['hills'], ['mountains', 'forest'], ['hills', 'forest'], ['mountains']] as const);
    terrain.push(...fallback);
    if (rng.next() < 0.45) flag.water = true;
  }
  const lit = time === 'night' || time === 'dusk';
  const stars = flag.stars || (lit && !flag.clouds && !flag.rain && !flag.snow && !flag.fog && rng.next() < 0.8);
  return {
    seed,
    time,
    terrain,
    water: flag.water,
    rain: flag.rain,
    snow: flag.snow,
    fog: flag.fog,
    storm: flag.storm,
    clouds: flag.clouds,
    stars,
    neon: flag.neon,
    lights: terrain.includes('city') && (lit || flag.lights),
    fire: flag.fire,
    volcano: flag.volcano,
    colours: skyColours,
    landColour,
    waterColour,
    mood,
    words,
  };
}
