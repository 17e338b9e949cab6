//! How wide a table may be and how its columns share that width: the terminal's
//! width when it reports one, else `COLUMNS`, else a fixed width; each column keeps
//! a readable minimum, and a row that cannot fit is wrapped onto a continuation
//! table that repeats the first column.

use unicode_width::UnicodeWidthStr;

/// The width of a table when stdout is not a terminal, or a terminal that
/// reports no width, and `COLUMNS` does not say.
pub const FIXED_WIDTH: usize = 120;

/// No table is laid out narrower than this, whatever `COLUMNS` says.
const NARROWEST: usize = 20;

/// A column is not squeezed below its longest word, within these bounds.
const MIN_FLOOR: usize = 6;
const MIN_CAP: usize = 16;

/// Padding either side and a border to the right of each column.
const COLUMN_COST: usize = 3;

/// The width to lay tables out in: the terminal's (when stdout is one and it
/// reports a width above 0), else `COLUMNS` when it is a number, else [`FIXED_WIDTH`].
pub fn width(terminal_columns: Option<u16>, columns_env: Option<&str>) -> usize {
    if let Some(w) = terminal_columns.filter(|w| *w > 0) {
        return usize::from(w);
    }
    columns_env
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .map_or(FIXED_WIDTH, |c| c.clamp(NARROWEST, usize::from(u16::MAX)))
}

/// The narrowest a column may be: its longest word (between 6 and 16
/// characters), never more than its widest line.
pub fn minimum<'a>(cells: impl IntoIterator<Item = &'a str>) -> usize {
    let mut widest_line = 0;
    let mut longest_word = 0;
    for cell in cells {
        for line in cell.lines() {
            widest_line = widest_line.max(line.width());
            for word in line.split_whitespace() {
                longest_word = longest_word.max(word.width());
            }
        }
    }
    widest_line.min(longest_word.clamp(MIN_FLOOR, MIN_CAP))
}

/// Columns (by index) of each table to print: all of them in one when their
/// minimums fit `width`; else the row is wrapped: the first table has as many
/// columns as fit, each further one repeats the first column and takes the next.
pub fn groups(minimums: &[usize], width: usize) -> Vec<Vec<usize>> {
    let n = minimums.len();
    let cost = |i: usize| minimums[i] + COLUMN_COST;
    // The left border.
    const EDGE: usize = 1;
    if n == 0 {
        return Vec::new();
    }
    let all_of_them = EDGE + (0..n).map(cost).sum::<usize>();
    if all_of_them <= width || n == 1 {
        return vec![(0..n).collect()];
    }
    let key = EDGE + cost(0);
    let mut all = Vec::new();
    let mut group = vec![0];
    let mut used = key;
    for i in 1..n {
        if group.len() > 1 && used + cost(i) > width {
            all.push(std::mem::replace(&mut group, vec![0]));
            used = key;
        }
        group.push(i);
        used += cost(i);
    }
    all.push(group);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_width_comes_from_the_terminal_then_columns_then_a_fixed_width() {
        assert_eq!(width(Some(200), Some("90")), 200);
        assert_eq!(
            width(Some(0), Some("90")),
            90,
            "a terminal reporting 0 columns"
        );
        assert_eq!(width(Some(0), None), FIXED_WIDTH);
        assert_eq!(width(None, None), FIXED_WIDTH);
        assert_eq!(width(None, Some("abc")), FIXED_WIDTH);
        assert_eq!(width(None, Some("0")), FIXED_WIDTH);
        assert_eq!(width(None, Some("3")), NARROWEST);
    }

    #[test]
    fn a_column_keeps_its_longest_word_within_bounds() {
        assert_eq!(minimum(["id", "fc:1"]), 4);
        assert_eq!(minimum(["relationship", "half sibling"]), 12);
        assert_eq!(minimum(["a b c d e f g h"]), 6);
        assert_eq!(minimum([&*"x".repeat(256)]), MIN_CAP);
        assert_eq!(minimum(["first line\nsecond"]), 6);
    }

    #[test]
    fn a_row_too_wide_wraps_onto_tables_that_repeat_the_first_column() {
        assert_eq!(groups(&[4, 10, 10], 80), vec![vec![0, 1, 2]]);
        // 1 + 7 + 13 * 5 = 73: fits 80, not 60.
        let mins = [4, 10, 10, 10, 10, 10];
        assert_eq!(groups(&mins, 80), vec![vec![0, 1, 2, 3, 4, 5]]);
        assert_eq!(groups(&mins, 60), vec![vec![0, 1, 2, 3, 4], vec![0, 5]]);
        // A column wider than the width still gets a table of its own.
        assert_eq!(groups(&[4, 100, 5], 40), vec![vec![0, 1], vec![0, 2]]);
        assert!(groups(&[], 80).is_empty());
    }
}
