/** Parameter Store reads: one parameter, several by name, a hierarchy by path. */
import { type BatchItemError, batchItems, inBatches, itemErrors, valuesRecord } from './batch.js';
import { CLIENT_CODES, ParametersSecretsError } from './errors.js';
import { parsed, queryOf } from './query.js';
import { get } from './transport.js';

export interface ParameterOptions {
  /** Decrypt a SecureString (`withDecryption=true`). Default false, as AWS's API: a SecureString read without it is the encrypted value. */
  readonly decrypt?: boolean;
  /** A version number (`name:version`). Not together with `label`. */
  readonly version?: number | string;
  /** A label (`name:label`). Not together with `version`. */
  readonly label?: string;
  /** Skip the extension's cached value for this read (`refreshNow=true`). */
  readonly refreshNow?: boolean;
}

/** Options of the batch reads: every item is decrypted or none is. */
export interface ParametersOptions {
  /** Decrypt SecureStrings (`withDecryption=true`). Default false. */
  readonly decrypt?: boolean;
  /** Skip the extension's cached values (`refreshNow=true`). */
  readonly refreshNow?: boolean;
}

export interface ParametersByPathOptions extends ParametersOptions {
  /** The whole hierarchy below the path, not only its direct children (`recursive=true`). Default false, as AWS's API. */
  readonly recursive?: boolean;
}

/** A parameter as SSM describes it (the extension's `Parameter` object). */
export interface Parameter {
  readonly Name: string;
  readonly Type: 'String' | 'StringList' | 'SecureString';
  /** A StringList's items comma-joined; a SecureString read without `decrypt` is the ciphertext. */
  readonly Value: string;
  readonly Version: number;
  readonly ARN?: string;
  readonly DataType?: string;
  readonly LastModifiedDate?: string;
  /** `:version` or `:label` when the name asked carried one. */
  readonly Selector?: string | null;
  readonly SourceResult?: string | null;
}

export interface ParametersResult {
  /** Each value read, under the name as asked (`/a`, `/a:3`, an ARN). */
  readonly values: Readonly<Record<string, string>>;
  /** The parameters read, in the order asked. */
  readonly parameters: readonly Parameter[];
  /** Names SSM does not know, as asked (single reads give these ParameterNotFound). */
  readonly invalid: readonly string[];
  /** Names whose read failed for another reason (throttled, denied), with AWS's code. */
  readonly errors: readonly BatchItemError[];
}

export interface ParametersByPathResult {
  /** Each value under its full name. */
  readonly values: Readonly<Record<string, string>>;
  /** Every parameter of the hierarchy, in SSM's order. */
  readonly parameters: readonly Parameter[];
}

interface ParameterAnswer {
  readonly Parameter?: { readonly Value?: unknown };
}

interface ParametersAnswer {
  readonly Parameters?: Parameter[];
  readonly InvalidParameters?: string[];
  readonly Errors?: { ErrorCode?: unknown; Message?: unknown; Name?: unknown }[];
}

const noValue = (what: string): ParametersSecretsError =>
  new ParametersSecretsError(CLIENT_CODES.invalidResponse, 200, `${what}: the answer has no value`);

/** The value of a parameter (a StringList's items comma-joined, as AWS gives them). */
export async function getParameter(name: string, options: ParameterOptions = {}): Promise<string> {
  const what = `parameter ${name}`;
  if (options.version !== undefined && options.label !== undefined) {
    throw new TypeError(`${what}: give version or label, not both`);
  }
  const target = `/systemsmanager/parameters/get${queryOf({
    name,
    withDecryption: options.decrypt === true,
    version: options.version,
    label: options.label,
    refreshNow: options.refreshNow,
  })}`;
  const value = parsed<ParameterAnswer>(await get(target, what), what).Parameter?.Value;
  if (typeof value !== 'string') throw noValue(what);
  return value;
}

/** Which of the names asked a parameter answers: as asked, by ARN, or as name:selector (as the extension matches them). */
function askedName(asked: readonly string[], parameter: Parameter): string {
  return (
    asked.find(
      (name) =>
        name === parameter.Name ||
        name === parameter.ARN ||
        name === `${parameter.Name}${parameter.Selector ?? ''}`,
    ) ?? parameter.Name
  );
}

function checkedParameters(answer: { readonly Parameters?: unknown }, what: string): Parameter[] {
  const parameters = answer.Parameters;
  if (!Array.isArray(parameters) || parameters.some((p) => typeof p?.Value !== 'string')) throw noValue(what);
  return parameters as Parameter[];
}

/**
 * Several parameters in one read (the extension's `getparameters`, SSM's GetParameters); more than 50
 * names go as several requests in parallel. Names SSM does not know are in `invalid`, failed ones in
 * `errors`: the read rejects only when the extension answers an error as a whole (nothing could be read).
 */
export async function getParameters(
  names: readonly string[],
  options: ParametersOptions = {},
): Promise<ParametersResult> {
  const what = `parameters ${names.length === 1 ? names[0] : `(${names.length})`}`;
  const asked = batchItems(names, what);
  const answers = await inBatches(asked, async (slice) =>
    parsed<ParametersAnswer>(
      await get(
        `/systemsmanager/parameters/getparameters${queryOf({
          names: slice.join(','),
          withDecryption: options.decrypt === true,
          refreshNow: options.refreshNow,
        })}`,
        what,
      ),
      what,
    ),
  );
  const values = valuesRecord();
  const parameters: Parameter[] = [];
  const invalid: string[] = [];
  const errors: BatchItemError[] = [];
  for (const answer of answers) {
    for (const parameter of checkedParameters(answer, what)) {
      parameters.push(parameter);
      values[askedName(asked, parameter)] = parameter.Value;
    }
    invalid.push(...(answer.InvalidParameters ?? []));
    errors.push(...itemErrors(answer.Errors));
  }
  return { values, parameters, invalid, errors };
}

/**
 * A hierarchy (the extension's `getbypath`, SSM's GetParametersByPath with every page merged, at most
 * 500 parameters: more is a TooManyParameters error, never a cut list). Non-recursive by default, as AWS's API.
 */
export async function getParametersByPath(
  path: string,
  options: ParametersByPathOptions = {},
): Promise<ParametersByPathResult> {
  const what = `parameters under ${path}`;
  const target = `/systemsmanager/parameters/getbypath${queryOf({
    path,
    recursive: options.recursive === true,
    withDecryption: options.decrypt === true,
    refreshNow: options.refreshNow,
  })}`;
  const parameters = checkedParameters(parsed<ParametersAnswer>(await get(target, what), what), what);
  const values = valuesRecord();
  for (const parameter of parameters) values[parameter.Name] = parameter.Value;
  return { values, parameters };
}
