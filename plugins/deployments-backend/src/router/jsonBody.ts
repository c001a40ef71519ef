import express, { NextFunction, Request, Response } from 'express';
import { createScanner } from 'jsonc-parser';
import { ParametersInvalidError } from './ParametersInvalidError';

// Tokens of jsonc-parser's scanner (its SyntaxKind is a const enum, which
// isolated modules cannot read from a declaration file).
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const COLON = 6;
const STRING = 10;
const EOF = 17;

/** A key given twice in one object, and where that object is. */
export type DuplicateKey = { path: Array<string | number>; key: string };

type Frame = {
  /** An object's keys so far; absent for an array. */
  keys?: Set<string>;
  /** The object's current key, or the array's current index. */
  at: string | number;
  /** Whether the next string of an object is a key. */
  expectKey: boolean;
};

/**
 * The first key that one object of a JSON text gives twice (`{"a":1,"a":2}`;
 * keys compare after unescaping, so `"a"` and `"\u0061"` are the same), or
 * undefined. One pass over jsonc-parser's tokens with an explicit stack: time
 * and memory linear in the text, however deep it nests. The text is parsed
 * (and refused when malformed) by JSON.parse; this only looks for
 * duplicates.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const scanner = createScanner(text, true);
  const stack: Frame[] = [];
  for (
    let token: number = scanner.scan();
    token !== EOF;
    token = scanner.scan()
  ) {
    const top = stack[stack.length - 1];
    switch (token) {
      case OPEN_BRACE:
        stack.push({ keys: new Set(), at: '', expectKey: true });
        break;
      case OPEN_BRACKET:
        stack.push({ at: 0, expectKey: false });
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        stack.pop();
        break;
      case COMMA:
        if (top?.keys) top.expectKey = true;
        else if (top) top.at = (top.at as number) + 1;
        break;
      case COLON:
        if (top) top.expectKey = false;
        break;
      case STRING:
        if (top?.keys && top.expectKey) {
          const key = scanner.getTokenValue();
          if (top.keys.has(key)) {
            return { path: stack.slice(0, -1).map(frame => frame.at), key };
          }
          top.keys.add(key);
          top.at = key;
        }
        break;
      default:
        break;
    }
  }
  return undefined;
}

const DUPLICATE = Symbol('duplicate JSON key');

function pathText(path: Array<string | number>, key: string): string {
  return [...path, key]
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${part}`,
    )
    .join('');
}

/**
 * The JSON body parser of the API (at most `limit`), refusing a body that
 * gives a key twice in one object with a 400 naming the key: JSON.parse
 * would keep the last one silently, so what was checked or reviewed could
 * differ from what the caller meant.
 */
export function jsonBody(options: { limit: string }) {
  const parse = express.json({
    limit: options.limit,
    verify(req, _res, buffer, encoding) {
      let text: string;
      try {
        text = new TextDecoder(encoding || 'utf-8').decode(buffer);
      } catch {
        return; // an encoding the parser refuses too
      }
      const duplicate = findDuplicateKey(text);
      if (duplicate) {
        (req as unknown as Record<symbol, DuplicateKey>)[DUPLICATE] = duplicate;
      }
    },
  });
  const refuseDuplicates = (
    req: Request,
    _res: Response,
    next: NextFunction,
  ) => {
    const duplicate = (req as unknown as Record<symbol, DuplicateKey>)[
      DUPLICATE
    ];
    if (!duplicate) {
      next();
      return;
    }
    next(
      new ParametersInvalidError(
        [
          {
            field: pathText(duplicate.path, duplicate.key) || '(body)',
            message: `duplicate key ${duplicate.key.slice(
              0,
              40,
            )}: a JSON object takes each key once; remove the other`,
          },
        ],
        'parameter-invalid',
      ),
    );
  };
  return { parse, refuseDuplicates };
}
