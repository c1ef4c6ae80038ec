import { matchesSearch, MAX_SEARCH_TERMS, searchKey, searchPrefix, searchTerms } from './search-text';

describe('searchKey', () => {
  it.each([
    // Portuguese
    ['São Paulo Logística', 'sao paulo logistica'],
    ['SÃO', 'sao'],
    ['João Gonçalves', 'joao goncalves'],
    ['Conceição Araújo', 'conceicao araujo'],
    // French
    ['Hélène Lefèvre', 'helene lefevre'],
    ['Çé', 'ce'],
    ['François Müller-Noël', 'francois muller-noel'],
    ['Lætitia Cœur', 'laetitia coeur'],
    ['ÉLODIE', 'elodie'],
    // Japanese: kanji unchanged, katakana -> hiragana, full-width latin -> ASCII, half-width kana -> full-width
    ['山田 太郎', '山田 太郎'],
    ['ヤマダ ハナコ', 'やまだ はなこ'],
    ['やまだ', 'やまだ'],
    ['ﾔﾏﾀﾞ ﾊﾅｺ', 'やまだ はなこ'],
    ['ＡＢＣ商事', 'abc商事'],
    ['ｱｲｳ１２３', 'あいう123'],
    ['山田\u3000太郎', '山田 太郎'],
    ['ヴァン・ガ', 'ゔぁん・が'],
    // spaces
    ['  Ana   Souza \t ', 'ana souza'],
    ['', ''],
  ])('%j -> %j', (text, key) => {
    expect(searchKey(text)).toBe(key);
  });

  it('keeps the kana voicing marks: ば, ぱ and は stay apart', () => {
    expect(searchKey('バ')).toBe('ば');
    expect(searchKey('パ')).toBe('ぱ');
    expect(searchKey('ﾊﾟ')).toBe('ぱ');
    expect(new Set([searchKey('は'), searchKey('ば'), searchKey('ぱ')]).size).toBe(3);
  });

  it('gives the same key to precomposed and decomposed accents', () => {
    expect(searchKey('Ele\u0301onore')).toBe(searchKey('Éléonore'));
    expect(searchKey('Ele\u0301onore')).toBe('eleonore');
  });
});

describe('searchTerms', () => {
  it('is the whole key and each word', () => {
    expect(searchTerms('Ana Souza')).toEqual(['ana souza', 'ana', 'souza']);
    expect(searchTerms('山田 太郎')).toEqual(['山田 太郎', '山田', '太郎']);
    expect(searchTerms('Hélène Lefèvre')).toEqual(['helene lefevre', 'helene', 'lefevre']);
    expect(searchTerms('Acme')).toEqual(['acme']);
  });

  it('splits words at punctuation and where the script changes', () => {
    expect(searchTerms('Jean-Pierre Lefèvre')).toEqual(['jean-pierre lefevre', 'jean', 'pierre', 'lefevre']);
    expect(searchTerms("D'Artagnan")).toEqual(["d'artagnan", 'd', 'artagnan']);
    expect(searchTerms('ジョン・スミス')).toEqual(['じょん・すみす', 'じょん', 'すみす']);
    expect(searchTerms('ＡＢＣ商事')).toEqual(['abc商事', 'abc', '商事']);
  });

  it('is empty for a blank name and bounded for a long one', () => {
    expect(searchTerms('   ')).toEqual([]);
    const many = searchTerms(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '));
    expect(many).toHaveLength(MAX_SEARCH_TERMS);
    expect(many[0]).toHaveLength(100);
    expect(searchTerms('x'.repeat(500))).toEqual(['x'.repeat(100)]);
  });
});

describe('matchesSearch (what a prefix search on the terms finds)', () => {
  const names = ['山田 太郎', 'ヤマダ ハナコ', 'São Paulo Logística', 'Hélène Lefèvre', 'ＡＢＣ商事', 'Ana Souza', 'Lætitia Cœur'];
  const found = (query: string) => names.filter((name) => matchesSearch(name, query));

  it.each([
    ['sao', ['São Paulo Logística']],
    ['SÃO', ['São Paulo Logística']],
    ['são paulo log', ['São Paulo Logística']],
    ['logistica', ['São Paulo Logística']],
    ['helene', ['Hélène Lefèvre']],
    ['HÉLÈNE', ['Hélène Lefèvre']],
    ['lefevre', ['Hélène Lefèvre']],
    ['lefè', ['Hélène Lefèvre']],
    ['やまだ', ['ヤマダ ハナコ']],
    ['ヤマダ', ['ヤマダ ハナコ']],
    ['ﾔﾏﾀﾞ', ['ヤマダ ハナコ']],
    ['はなこ', ['ヤマダ ハナコ']],
    ['山田', ['山田 太郎']],
    ['太郎', ['山田 太郎']],
    ['山田　太', ['山田 太郎']],
    ['abc', ['ＡＢＣ商事']],
    ['ＡＢＣ', ['ＡＢＣ商事']],
    ['商事', ['ＡＢＣ商事']],
    ['souza', ['Ana Souza']],
    ['a', ['ＡＢＣ商事', 'Ana Souza']],
    ['p', ['São Paulo Logística']],
    ['coeur', ['Lætitia Cœur']],
    ['laetitia', ['Lætitia Cœur']],
    ['zzz', []],
    ['ouza', []],
  ])('%j finds %j', (query, expected) => {
    expect(found(query)).toEqual(expected);
  });

  it('searches with the key of the query', () => {
    expect(searchPrefix('  SÃO  Paulo ')).toBe('sao paulo');
  });
});
