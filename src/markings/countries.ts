/** Country trigraphs and group tetragraphs used in REL TO, DISPLAY ONLY, FGI and JOINT markings. */

/**
 * ISO 3166-1 alpha-3 codes (the IC register's country trigraphs), plus XKS (Kosovo), which the
 * register uses although ISO has not assigned it.
 */
const TRIGRAPHS = `
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE
BDI BEL BEN BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA
CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE
DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM
GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN
IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT
LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR
MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN
PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA
SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR
TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB
VAT VCT VEN VGB VIR VNM VUT WLF WSM XKS YEM ZAF ZMB ZWE`;

export const COUNTRY_TRIGRAPHS: ReadonlySet<string> = new Set(TRIGRAPHS.trim().split(/\s+/));

/**
 * Group tetragraphs and their members. Groups are expanded when a marking is parsed and a label
 * stores countries only, so a stored label keeps its meaning if a group's membership changes.
 * NATO: the 32 members as of 2024 (Sweden joined 7 March 2024).
 */
export const COUNTRY_GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['ACGU', ['AUS', 'CAN', 'GBR', 'USA']],
  ['FVEY', ['AUS', 'CAN', 'GBR', 'NZL', 'USA']],
  ['NATO', [
    'ALB', 'BEL', 'BGR', 'CAN', 'CZE', 'DEU', 'DNK', 'ESP', 'EST', 'FIN', 'FRA', 'GBR', 'GRC', 'HRV', 'HUN', 'ISL',
    'ITA', 'LTU', 'LUX', 'LVA', 'MKD', 'MNE', 'NLD', 'NOR', 'POL', 'PRT', 'ROU', 'SVK', 'SVN', 'SWE', 'TUR', 'USA',
  ]],
]);

/** True for a known trigraph or group tetragraph. */
export function isCountryCode(code: string): boolean {
  return COUNTRY_TRIGRAPHS.has(code) || COUNTRY_GROUPS.has(code);
}

/** Register order for country lists: trigraphs A-Z, then tetragraphs A-Z. */
export function compareCountryCodes(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Adds the countries a code stands for (itself, or a group's members) to `into`. */
export function addExpanded(code: string, into: Set<string>): void {
  const members = COUNTRY_GROUPS.get(code);
  if (members) for (const m of members) into.add(m);
  else into.add(code);
}

/** True for a known country trigraph (a nationality); groups are not nationalities. */
export function isCountryTrigraph(code: string): boolean {
  return COUNTRY_TRIGRAPHS.has(code);
}
