//! CSS colours (as the MotionText renderer receives them) to ASS colours.

/// A colour with straight (CSS) alpha: 255 is opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    pub const WHITE: Rgba = Rgba { r: 255, g: 255, b: 255, a: 255 };
    pub const BLACK: Rgba = Rgba { r: 0, g: 0, b: 0, a: 255 };

    /// ASS alpha is inverted: 00 is opaque, FF is transparent.
    fn ass_alpha_byte(self) -> u8 {
        255 - self.a
    }

    /// `&HAABBGGRR`, the form used in a `Style:` line.
    pub fn ass_style(self) -> String {
        format!("&H{:02X}{:02X}{:02X}{:02X}", self.ass_alpha_byte(), self.b, self.g, self.r)
    }

    /// `&HBBGGRR&`, the form used by the `\c`, `\3c` override tags.
    pub fn ass_bgr(self) -> String {
        format!("&H{:02X}{:02X}{:02X}&", self.b, self.g, self.r)
    }

    /// `&HAA&`, the form used by the `\1a`, `\3a` override tags.
    pub fn ass_alpha(self) -> String {
        format!("&H{:02X}&", self.ass_alpha_byte())
    }
}

/// What `parse` accepts, for error messages.
pub(crate) const ACCEPTED: &str =
    "use #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a) or a basic colour name such as white";

/// Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` (comma or
/// space separated, alpha 0..1 or a percentage) and a few CSS names.
pub(crate) fn parse(input: &str) -> Option<Rgba> {
    let s = input.trim().to_ascii_lowercase();
    if let Some(hex) = s.strip_prefix('#') {
        return parse_hex(hex);
    }
    if let Some(inner) = s.strip_prefix("rgba(").or_else(|| s.strip_prefix("rgb(")) {
        return parse_rgb_function(inner.strip_suffix(')')?);
    }
    named(&s)
}

fn parse_hex(hex: &str) -> Option<Rgba> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let nibble = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok().map(|v| v * 17);
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    match hex.len() {
        3 => Some(Rgba { r: nibble(0)?, g: nibble(1)?, b: nibble(2)?, a: 255 }),
        4 => Some(Rgba { r: nibble(0)?, g: nibble(1)?, b: nibble(2)?, a: nibble(3)? }),
        6 => Some(Rgba { r: byte(0)?, g: byte(2)?, b: byte(4)?, a: 255 }),
        8 => Some(Rgba { r: byte(0)?, g: byte(2)?, b: byte(4)?, a: byte(6)? }),
        _ => None,
    }
}

fn parse_rgb_function(inner: &str) -> Option<Rgba> {
    let parts: Vec<&str> =
        inner.split(|c: char| c == ',' || c == '/' || c.is_whitespace()).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3 && parts.len() != 4 {
        return None;
    }
    let channel = |p: &str| -> Option<u8> {
        let v = match p.strip_suffix('%') {
            Some(pct) => pct.parse::<f64>().ok()? * 255.0 / 100.0,
            None => p.parse::<f64>().ok()?,
        };
        v.is_finite().then(|| v.clamp(0.0, 255.0).round() as u8)
    };
    let alpha = match parts.get(3) {
        None => 255,
        Some(p) => {
            let v = match p.strip_suffix('%') {
                Some(pct) => pct.parse::<f64>().ok()? / 100.0,
                None => p.parse::<f64>().ok()?,
            };
            if !v.is_finite() {
                return None;
            }
            (v.clamp(0.0, 1.0) * 255.0).round() as u8
        }
    };
    Some(Rgba { r: channel(parts[0])?, g: channel(parts[1])?, b: channel(parts[2])?, a: alpha })
}

fn named(name: &str) -> Option<Rgba> {
    let (r, g, b, a) = match name {
        "white" => (255, 255, 255, 255),
        "black" => (0, 0, 0, 255),
        "red" => (255, 0, 0, 255),
        "green" => (0, 128, 0, 255),
        "lime" => (0, 255, 0, 255),
        "blue" => (0, 0, 255, 255),
        "yellow" => (255, 255, 0, 255),
        "cyan" | "aqua" => (0, 255, 255, 255),
        "magenta" | "fuchsia" => (255, 0, 255, 255),
        "gray" | "grey" => (128, 128, 128, 255),
        "silver" => (192, 192, 192, 255),
        "orange" => (255, 165, 0, 255),
        "purple" => (128, 0, 128, 255),
        "pink" => (255, 192, 203, 255),
        "transparent" => (0, 0, 0, 0),
        _ => return None,
    };
    Some(Rgba { r, g, b, a })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms_and_names() {
        assert_eq!(parse("#fff"), Some(Rgba::WHITE));
        assert_eq!(parse("#FF000080"), Some(Rgba { r: 255, g: 0, b: 0, a: 128 }));
        assert_eq!(parse("#0f08"), Some(Rgba { r: 0, g: 255, b: 0, a: 136 }));
        assert_eq!(parse(" Black "), Some(Rgba::BLACK));
        assert_eq!(parse("#12345"), None);
        assert_eq!(parse("#gggggg"), None);
        assert_eq!(parse("blurple"), None);
    }

    #[test]
    fn rgb_functions() {
        assert_eq!(parse("rgba(0, 0, 0, 0.6)"), Some(Rgba { r: 0, g: 0, b: 0, a: 153 }));
        assert_eq!(parse("rgb(255 128 0 / 50%)"), Some(Rgba { r: 255, g: 128, b: 0, a: 128 }));
        assert_eq!(parse("rgb(100%, 0%, 0%)"), Some(Rgba { r: 255, g: 0, b: 0, a: 255 }));
        assert_eq!(parse("rgb(1, 2)"), None);
    }

    #[test]
    fn ass_forms() {
        let c = Rgba { r: 0x11, g: 0x22, b: 0x33, a: 255 };
        assert_eq!(c.ass_style(), "&H00332211");
        assert_eq!(c.ass_bgr(), "&H332211&");
        assert_eq!(Rgba { a: 0, ..c }.ass_alpha(), "&HFF&");
    }
}
