/** Small English vocabulary for rot13 detection and for re-segmenting spaced-out letters. */

// Function words and frequent request verbs: enough that a rot13-encoded English request shows
// several hits and ordinary text shows none after rot13.
const COMMON = `a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its just me more most my
no nor not now of off on once only or other our out over own same she should so some such than that
the their them then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours able ask build buy can tell show
give make made get find list write create help need want use using used step steps way ways home
please now new day time people person everyone every city data phone phones location locations
track tracking monitor surveil spy collect profile profiles citizens americans residents target
targets strike attack kill weapon weapons bomb gas nerve agent agents anthrax sarin ricin virus
toxin synthesize produce grow culture enrich uranium plutonium ignore previous instructions system
prompt rules policy reveal secret secrets password passwords send email print output forget disregard
bypass override mode unrestricted jailbreak pretend act role assistant model user delete file files
mass bulk domestic protest protesters journalists activists engage fire drone drones missile convoy
compound coordinates chemical biological nuclear radiological dirty spread release aerosol dispersal
instructions instruction above below earlier prior all everything let lets say said like know think
go going look looking see seen work working more less first second third next last good bad best`;

export const COMMON_WORDS: ReadonlySet<string> = new Set(COMMON.split(/\s+/).filter(Boolean));

/** Words whose rot13 is a common word: lets rot13 detection skip encoding every token. */
export const ROT13_OF_COMMON: ReadonlySet<string> = new Set([...COMMON_WORDS].map((w) => rot13(w)));

/** ROT13 of ASCII letters; anything else passes through. */
export function rot13(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + 13) % 26) + 97);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(((c - 65 + 13) % 26) + 65);
    else out += text[i];
  }
  return out;
}
