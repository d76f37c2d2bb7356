// The PostgREST query-string parser, alone: pure input → typed values or a QueryError.
import { describe, expect, it } from 'vitest';
import {
  QueryError,
  parseColumnList,
  parseFilter,
  parseOrder,
  parsePrefer,
  parseSelect,
} from '../../server/rest/query.js';

describe('parseFilter', () => {
  it('reads comparison operators and negation', () => {
    expect(parseFilter('bpm', 'gte.120')).toEqual({ column: 'bpm', negate: false, op: 'gte', value: '120' });
    expect(parseFilter('key', 'not.is.null')).toEqual({
      column: 'key',
      negate: true,
      op: 'is',
      value: 'null',
    });
  });

  it('keeps dots in values after the operator', () => {
    expect(parseFilter('title', 'eq.a.b.c')).toMatchObject({ op: 'eq', value: 'a.b.c' });
  });

  it('splits in-lists on commas outside double quotes', () => {
    expect(parseFilter('id', 'in.(1,"a,b",  c ,"say \\"hi\\"")')).toMatchObject({
      op: 'in',
      values: ['1', 'a,b', 'c', 'say "hi"'],
    });
    expect(parseFilter('id', 'in.()')).toMatchObject({ values: [] });
  });

  it('turns * into % for like patterns', () => {
    expect(parseFilter('title', 'ilike.*lol*')).toMatchObject({ op: 'ilike', value: '%lol%' });
  });

  it.each([
    ['an unknown operator', 'title', 'near.x'],
    ['a missing value', 'title', 'eq'],
    ['an in-list without parentheses', 'id', 'in.1,2'],
    ['an unterminated quote', 'id', 'in.("a,b)'],
    ['an is-value other than null/true/false/unknown', 'key', 'is.maybe'],
    ['a column that is not an identifier', 'title"--', 'eq.x'],
  ])('refuses %s', (_name, column, value) => {
    expect(() => parseFilter(column, value)).toThrow(QueryError);
  });
});

describe('parseSelect', () => {
  it('reads *, columns and aliases', () => {
    expect(parseSelect(null)).toEqual({ columns: undefined });
    expect(parseSelect('title,name:artist')).toEqual({
      columns: [
        { column: 'title', alias: undefined },
        { column: 'artist', alias: 'name' },
      ],
    });
  });

  it('refuses embedding, casts and JSON paths with a message that says so', () => {
    expect(() => parseSelect('*,bands(*)')).toThrow(/not supported by the local backend/);
    expect(() => parseSelect('bpm::text')).toThrow(/not supported/);
    expect(() => parseSelect('record->title')).toThrow(/not supported/);
  });
});

describe('parseOrder', () => {
  it('reads direction and nulls placement per column', () => {
    expect(parseOrder('bpm.desc.nullslast,title')).toEqual([
      { column: 'bpm', descending: true, nulls: 'last' },
      { column: 'title', descending: false, nulls: undefined },
    ]);
  });

  it('refuses unknown modifiers', () => {
    expect(() => parseOrder('title.random')).toThrow(QueryError);
  });
});

describe('parseColumnList and parsePrefer', () => {
  it('reads the quoted columns supabase-js sends for inserts', () => {
    expect(parseColumnList('"band_id","title"')).toEqual(['band_id', 'title']);
  });

  it('reads repeated and comma-joined Prefer values', () => {
    expect(parsePrefer(['return=representation', 'count=exact, resolution=ignore-duplicates'])).toEqual({
      returnRepresentation: true,
      count: true,
      resolution: 'ignore',
      missingDefault: false,
    });
  });
});
