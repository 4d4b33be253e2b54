/** Enclave's Cedar schema text (schema.cedarschema), for the engine, docs and policy authors' tools. */
import { readFileSync } from 'node:fs';

/** Read once at import: the schema ships beside this module and is part of the product. */
export const POLICY_SCHEMA: string = readFileSync(new URL('./schema.cedarschema', import.meta.url), 'utf8');
