import { html, trusted } from './html';
import { acceptedLanguages, messagesOf, PAGE_LANGUAGES, pickLanguage } from './i18n';
import { parseForm, portalPath } from './page-security';

describe('the pages’ template engine', () => {
  it('escapes every interpolated value unless it is markup already', () => {
    const name = `<script>alert("x")</script> & 'co'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>',
    );
    expect(html`<ul>${['a<', 'b'].map((i) => html`<li>${i}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(html`${trusted('<br>')}`.value).toBe('<br>');
  });
});

describe('the pages’ languages', () => {
  it('picks the first language spoken, by exact tag or base language, else English', () => {
    expect(pickLanguage(null, 'ja-JP')).toBe('ja');
    expect(pickLanguage('pt')).toBe('pt-BR');
    expect(pickLanguage('fr-CA', 'ja')).toBe('fr');
    expect(pickLanguage('de', undefined, 'PT-br')).toBe('pt-BR');
    expect(pickLanguage('de', 'nl')).toBe('en');
  });

  it('reads Accept-Language by quality, leaving out q=0 and *', () => {
    expect(acceptedLanguages('de;q=0.5, fr-CA, ja;q=0.8, *;q=0.1, en;q=0')).toEqual(['fr-CA', 'ja', 'de']);
    expect(acceptedLanguages(undefined)).toEqual([]);
  });

  it('has every message in every language, with the same placeholders', () => {
    const en = messagesOf('en');
    for (const language of PAGE_LANGUAGES) {
      const messages = messagesOf(language);
      expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
      for (const key of ['statuses', 'notices', 'problems', 'methods', 'modules', 'kinds'] as const) {
        expect({ language, key, keys: Object.keys(messages[key]).sort() }).toEqual({ language, key, keys: Object.keys(en[key]).sort() });
      }
      expect(messages.invitedBy('ORG', 'PORTAL')).toEqual(expect.stringContaining('ORG'));
      expect(messages.invitedBy('ORG', 'PORTAL')).toEqual(expect.stringContaining('PORTAL'));
    }
  });
});

describe('the pages’ form handling', () => {
  it('parses a form into a prototype-less object, first value wins', () => {
    const form = parseForm('__proto__=x&constructor=y&a=1&a=2&text=caf%C3%A9+au+lait');
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(Object.keys(form).sort()).toEqual(['__proto__', 'a', 'constructor', 'text']);
    expect([form['__proto__'], form.constructor, form.a, form.text]).toEqual(['x', 'y', '1', 'café au lait']);
  });

  it('goes back only to a path of the portal', () => {
    expect(portalPath('/portal/documents/abc')).toBe('/portal/documents/abc');
    expect(portalPath('//evil.example/portal')).toBe('/portal');
    expect(portalPath('https://evil.example')).toBe('/portal');
    expect(portalPath('/portal/../v1')).toBe('/portal');
    expect(portalPath(undefined)).toBe('/portal');
  });
});
