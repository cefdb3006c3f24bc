//! Heredoc templates with HCL's exact whitespace rules.
//!
//! In HCL a heredoc's literal text is tokenized line by line, so a strip
//! marker (`~`) removes whitespace only from the adjacent token (up to the end
//! of its line), and the flush form (`<<-`) removes the smallest indentation
//! of all lines *after* stripping; a line that begins with an interpolation or
//! directive counts as unindented. `hcl-edit` dedents before stripping, so
//! herd re-reads the heredoc's raw text and prepares the template here.

use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Spanned;

/// Extract the body of a heredoc from its source text (`<<-EOT\n...\n  EOT`).
pub fn raw_body(src: &str) -> Option<(&str, bool)> {
    let flush = src.starts_with("<<-");
    let first_nl = src.find('\n')?;
    let rest = &src[first_nl + 1..];
    let last_line_start = rest.trim_end_matches(|c: char| c != '\n').len();
    Some((&rest[..last_line_start], flush))
}

/// Parse and prepare a heredoc body.
pub fn prepare(body: &str, flush: bool) -> Option<Template> {
    let t = hcl_edit::parser::parse_template(body).ok()?;
    let mut t = split_lines(t);
    apply_strips(&mut t);
    if flush {
        dedent(&mut t);
    }
    Some(t)
}

fn split_lit(s: &str) -> Vec<Element> {
    let mut out = vec![];
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '\n' {
            out.push(Element::Literal(Spanned::new(s[start..=i].to_string())));
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push(Element::Literal(Spanned::new(s[start..].to_string())));
    }
    out
}

fn split_lines(t: Template) -> Template {
    let mut out: Vec<Element> = vec![];
    for el in t.iter() {
        match el {
            Element::Literal(l) => out.extend(split_lit(l.value())),
            Element::Interpolation(_) => out.push(el.clone()),
            Element::Directive(d) => {
                let mut d = (**d).clone();
                match &mut d {
                    Directive::If(i) => {
                        i.if_expr.template = split_lines(i.if_expr.template.clone());
                        if let Some(e) = &mut i.else_expr {
                            e.template = split_lines(e.template.clone());
                        }
                    }
                    Directive::For(f) => {
                        f.for_expr.template = split_lines(f.for_expr.template.clone());
                    }
                }
                out.push(Element::Directive(Box::new(d)));
            }
        }
    }
    Template::from(out)
}

/// A flattened view of the template in source order.
enum Item<'a> {
    Lit(&'a mut Spanned<String>),
    Mark { start: bool, end: bool },
}

fn flatten<'a>(t: &'a mut Template, out: &mut Vec<Item<'a>>) {
    for el in t.iter_mut() {
        match el {
            Element::Literal(l) => out.push(Item::Lit(l)),
            Element::Interpolation(i) => out.push(Item::Mark {
                start: i.strip.strip_start(),
                end: i.strip.strip_end(),
            }),
            Element::Directive(d) => match &mut **d {
                Directive::If(i) => {
                    out.push(Item::Mark {
                        start: i.if_expr.strip.strip_start(),
                        end: i.if_expr.strip.strip_end(),
                    });
                    flatten(&mut i.if_expr.template, out);
                    if let Some(e) = &mut i.else_expr {
                        out.push(Item::Mark {
                            start: e.strip.strip_start(),
                            end: e.strip.strip_end(),
                        });
                        flatten(&mut e.template, out);
                    }
                    out.push(Item::Mark {
                        start: i.endif_expr.strip.strip_start(),
                        end: i.endif_expr.strip.strip_end(),
                    });
                }
                Directive::For(f) => {
                    out.push(Item::Mark {
                        start: f.for_expr.strip.strip_start(),
                        end: f.for_expr.strip.strip_end(),
                    });
                    flatten(&mut f.for_expr.template, out);
                    out.push(Item::Mark {
                        start: f.endfor_expr.strip.strip_start(),
                        end: f.endfor_expr.strip.strip_end(),
                    });
                }
            },
        }
    }
}

fn apply_strips(t: &mut Template) {
    let mut items = vec![];
    flatten(t, &mut items);
    let n = items.len();
    for i in 0..n {
        let (start, end) = match &items[i] {
            Item::Mark { start, end } => (*start, *end),
            _ => continue,
        };
        if start && i > 0 {
            if let Item::Lit(l) = &mut items[i - 1] {
                let v = l.value().trim_end().to_string();
                *l.value_mut() = v;
            }
        }
        if end && i + 1 < n {
            if let Item::Lit(l) = &mut items[i + 1] {
                let v = l.value().trim_start().to_string();
                *l.value_mut() = v;
            }
        }
    }
}

fn dedent(t: &mut Template) {
    let mut items = vec![];
    flatten(t, &mut items);
    // Find the minimum indentation over line starts.
    let mut min: Option<usize> = None;
    let mut at_line_start = true;
    for it in items.iter() {
        match it {
            Item::Lit(l) => {
                let s = l.value();
                if at_line_start && s != "\n" {
                    let ind = s.chars().take_while(|c| *c == ' ' || *c == '\t').count();
                    min = Some(min.map_or(ind, |m| m.min(ind)));
                }
                at_line_start = s.ends_with('\n');
            }
            Item::Mark { .. } => {
                if at_line_start {
                    min = Some(0);
                }
                at_line_start = false;
            }
        }
    }
    let min = min.unwrap_or(0);
    if min == 0 {
        return;
    }
    let mut at_line_start = true;
    for it in items.iter_mut() {
        match it {
            Item::Lit(l) => {
                let ends_nl = l.value().ends_with('\n');
                if at_line_start {
                    let s = l.value();
                    let cut: usize = s
                        .chars()
                        .take(min)
                        .take_while(|c| *c == ' ' || *c == '\t')
                        .map(|c| c.len_utf8())
                        .sum();
                    let v = s[cut..].to_string();
                    *l.value_mut() = v;
                }
                at_line_start = ends_nl;
            }
            Item::Mark { .. } => at_line_start = false,
        }
    }
}
