//! The whitespace-only formatting pass of `hclwrite`: indentation, spacing
//! between tokens within a line, and vertical alignment of `=` and trailing
//! comments across consecutive lines.

use super::lexer::{Token, TT};
use unicode_segmentation::UnicodeSegmentation;

/// A line split into up to three cells, each a half-open index range into
/// the token vector.
#[derive(Debug, Clone, Copy, Default)]
struct Line {
    lead: (usize, usize),
    assign: Option<(usize, usize)>,
    comment: Option<(usize, usize)>,
}

fn bracket_change(t: &Token) -> i32 {
    match t.ty {
        TT::OBrace | TT::OBrack | TT::OParen | TT::TemplateControl | TT::TemplateInterp => 1,
        TT::CBrace | TT::CBrack | TT::CParen | TT::TemplateSeqEnd => -1,
        _ => 0,
    }
}

fn is_newline(t: &Token) -> bool {
    t.ty == TT::Newline || (t.ty == TT::Comment && t.text.ends_with('\n'))
}

fn columns(toks: &[Token], r: (usize, usize)) -> usize {
    toks[r.0..r.1]
        .iter()
        .map(|t| t.spaces_before + t.text.graphemes(true).count())
        .sum()
}

/// Format the tokens in place (adjusting only `spaces_before`) and render.
pub fn format_tokens(toks: &mut [Token]) -> String {
    let lines = lines_for_format(toks);
    format_indent(toks, &lines);
    format_spaces(toks, &lines);
    format_cells(toks, &lines);
    let mut out = String::new();
    // The EOF token is outside every line, so any whitespace before it is
    // written back unchanged (as hclwrite does).
    for t in toks.iter() {
        for _ in 0..t.spaces_before {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

fn lines_for_format(toks: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut ended = false;
    for (i, t) in toks.iter().enumerate() {
        if t.ty == TT::Eof {
            lines.push(Line {
                lead: (start, i),
                ..Default::default()
            });
            ended = true;
            break;
        }
        if is_newline(t) {
            lines.push(Line {
                lead: (start, i + 1),
                ..Default::default()
            });
            start = i + 1;
        }
    }
    if !ended {
        lines.push(Line {
            lead: (start, toks.len()),
            ..Default::default()
        });
    }

    for line in lines.iter_mut() {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        let mut e = e;
        if e - s > 1 && toks[e - 1].ty == TT::Comment {
            line.comment = Some((e - 1, e));
            e -= 1;
            line.lead = (s, e);
        }
        for i in s..e {
            if i > s && toks[i].ty == TT::Equal {
                let net: i32 = toks[i..e].iter().map(bracket_change).sum();
                if net == 0 {
                    line.assign = Some((i, e));
                    line.lead = (s, i);
                }
                break;
            }
        }
    }
    lines
}

fn format_indent(toks: &mut [Token], lines: &[Line]) {
    let mut indents: Vec<i32> = Vec::new();
    for line in lines {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        if toks[s].ty == TT::Newline {
            toks[s].spaces_before = 0;
            continue;
        }
        let mut net = 0i32;
        for t in &toks[s..e] {
            net += bracket_change(t);
            if t.ty == TT::OHeredoc {
                break;
            }
        }
        if let Some((a, b)) = line.assign {
            for t in &toks[a..b] {
                net += bracket_change(t);
            }
        }
        if net > 0 {
            toks[s].spaces_before = 2 * indents.len();
            indents.push(net);
        } else if net < 0 {
            let mut closed = -net;
            while closed > 0 && !indents.is_empty() {
                let top = *indents.last().unwrap();
                if closed > top {
                    closed -= top;
                    indents.pop();
                } else if closed < top {
                    *indents.last_mut().unwrap() -= closed;
                    closed = 0;
                } else {
                    indents.pop();
                    closed = 0;
                }
            }
            toks[s].spaces_before = 2 * indents.len();
        } else {
            toks[s].spaces_before = 2 * indents.len();
        }
    }
}

fn format_spaces(toks: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(toks, line.lead, false);
        if let Some(a) = line.assign {
            space_cell(toks, a, true);
        }
    }
}

fn space_cell(toks: &mut [Token], (s, e): (usize, usize), is_assign: bool) {
    for i in s..e {
        if is_assign && i == s {
            toks[i].spaces_before = 1;
        }
        if i + 1 >= e {
            // "after" is the nil placeholder token
            continue;
        }
        let before = if i > s { Some(&toks[i - 1]) } else { None };
        let sp = space_after_token(&toks[i], before, &toks[i + 1]);
        toks[i + 1].spaces_before = usize::from(sp);
    }
}

fn space_after_token(subject: &Token, before: Option<&Token>, after: &Token) -> bool {
    use TT::*;
    let before_ty = before.map(|t| t.ty);
    if after.ty == Newline {
        return false;
    }
    if subject.ty == Ident && after.ty == OParen {
        return false;
    }
    if subject.ty == Dot || after.ty == Dot {
        return false;
    }
    if after.ty == Comma || after.ty == Ellipsis {
        return false;
    }
    if subject.ty == Comma {
        return true;
    }
    if matches!(subject.ty, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(after.ty, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        return false;
    }
    if subject.ty == Ident && subject.text == "in" && before_ty == Some(Ident) {
        return true;
    }
    if after.ty == OBrack
        && (subject.ty == Ident || subject.ty == NumberLit || bracket_change(subject) < 0)
    {
        return false;
    }
    if subject.ty == Bang {
        return false;
    }
    if subject.ty == Minus {
        // Negation (no space) when the previous token can't end an operand.
        return !matches!(
            before_ty,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if subject.ty == OBrace || after.ty == CBrace {
        return !(subject.ty == OBrace && after.ty == CBrace);
    }
    if matches!(subject.ty, TemplateInterp | TemplateControl) && after.ty == OBrace {
        return true;
    }
    if subject.ty == CBrace && after.ty == TemplateSeqEnd {
        return true;
    }
    if subject.ty == TemplateSeqEnd && matches!(after.ty, TemplateInterp | TemplateControl) {
        return false;
    }
    if bracket_change(subject) > 0 {
        return false;
    }
    if bracket_change(after) < 0 {
        return false;
    }
    true
}

fn format_cells(toks: &mut [Token], lines: &[Line]) {
    // assignments
    let mut chain_start: Option<usize> = None;
    let mut max_cols = 0;
    let close_assign = |toks: &mut [Token], from: usize, to: usize, max: usize| {
        for line in &lines[from..to] {
            let cols = columns(toks, line.lead);
            let a = line.assign.unwrap();
            toks[a.0].spaces_before = max - cols + 1;
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.assign.is_none() {
            if let Some(cs) = chain_start.take() {
                close_assign(toks, cs, i, max_cols);
                max_cols = 0;
            }
        } else {
            if chain_start.is_none() {
                chain_start = Some(i);
            }
            max_cols = max_cols.max(columns(toks, line.lead));
        }
    }
    if let Some(cs) = chain_start.take() {
        close_assign(toks, cs, lines.len(), max_cols);
    }

    // comments
    let line_cols = |toks: &[Token], line: &Line| -> usize {
        columns(toks, line.lead) + line.assign.map(|a| columns(toks, a)).unwrap_or(0)
    };
    let mut max_cols = 0;
    let close_comment = |toks: &mut [Token], from: usize, to: usize, max: usize| {
        for line in &lines[from..to] {
            let cols = line_cols(toks, line);
            let c = line.comment.unwrap();
            toks[c.0].spaces_before = max - cols + 1;
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.comment.is_none() {
            if let Some(cs) = chain_start.take() {
                close_comment(toks, cs, i, max_cols);
                max_cols = 0;
            }
        } else {
            if chain_start.is_none() {
                chain_start = Some(i);
            }
            max_cols = max_cols.max(line_cols(toks, line));
        }
    }
    if let Some(cs) = chain_start.take() {
        close_comment(toks, cs, lines.len(), max_cols);
    }
}
