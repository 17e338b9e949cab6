-- Free text is judged by the database as famctx judges it, so neither can accept what the other
-- refuses: a bulk line whose reason only famctx refused was sent to the database without a
-- problem, and the database, accepting it, recorded the refused file as an allowed dry run.
--  * Trimmed of every Unicode white space character (Rust's `str::trim`), not only space, tab,
--    CR and LF: a reason of no-break spaces is empty.
--  * Control characters named by code point (C0, DEL, C1: Unicode's Cc), whatever the
--    database's locale makes of [[:cntrl:]], and the invisible characters famctx refuses: soft
--    hyphen, the Arabic letter mark (U+061C), zero-width and direction marks, the line and
--    paragraph separators (U+2028, U+2029), embeddings and overrides, word joiners and isolates,
--    the byte order mark.
-- fc.plain (what is recorded and shown) drops the same characters.

CREATE OR REPLACE FUNCTION fc.plain(p_text text, p_max int)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT left(regexp_replace(p_text,
        '[[:cntrl:]\u0001-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]',
        '', 'g'), p_max);
$$;

CREATE OR REPLACE FUNCTION fc.free_text(p_value text, p_field text, p_max int, p_required boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := btrim(p_value, E'\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000');
BEGIN
    IF v IS NULL AND p_required THEN
        PERFORM fc.fail('usage', format('%s is required: say why, e.g. "s47 enquiry, case 1234"', p_field));
    ELSIF v IS NULL THEN
        RETURN NULL;
    ELSIF v = '' THEN
        PERFORM fc.fail('usage', format('%s must not be empty', p_field));
    ELSIF char_length(v) > p_max THEN
        PERFORM fc.fail('usage', format('%s is longer than %s characters', p_field, p_max));
    ELSIF v ~ '[[:cntrl:]\u0001-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]' THEN
        PERFORM fc.fail('usage', format('%s contains a control or invisible character; use plain text', p_field));
    END IF;
    RETURN v;
END;
$$;

-- Inlined by the planner into the statements that use it: no SET clause, pg_catalog named.
CREATE OR REPLACE FUNCTION fc.text_problem(p_value text, p_field text, p_max int, p_required boolean)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN p_value IS NULL THEN
            CASE WHEN p_required THEN pg_catalog.format('%s is missing', p_field) END
        WHEN pg_catalog.btrim(p_value, E'\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000')
             OPERATOR(pg_catalog.=) '' THEN
            CASE WHEN p_required THEN pg_catalog.format('%s must not be empty', p_field) END
        WHEN pg_catalog.char_length(pg_catalog.btrim(p_value,
                 E'\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'))
             OPERATOR(pg_catalog.>) p_max THEN
            pg_catalog.format('%s is longer than %s characters', p_field, p_max)
        WHEN pg_catalog.btrim(p_value,
                 E'\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000')
             OPERATOR(pg_catalog.~) '[[:cntrl:]\u0001-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]'
             THEN
            pg_catalog.format('%s contains a control or invisible character; use plain text', p_field)
    END;
$$;
