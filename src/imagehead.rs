//! An image's width and height from the first bytes of its file (a leaf module, no I/O):
//! PNG, GIF, JPEG, WebP, and SVG with `width`/`height` or a `viewBox`. Pages give images their
//! size so the text does not jump while they load; a file this cannot read just has no size.

/// How much of a file [`size`] needs at most: a JPEG's size can follow a large EXIF block.
pub const HEAD_BYTES: u64 = 64 * 1024;

/// How much of a file is read first: PNG, GIF and WebP give their size in their first 30
/// bytes and most JPEGs well within this; only an SVG, or a JPEG behind a large EXIF block,
/// needs up to [`HEAD_BYTES`].
pub const FIRST_BYTES: u64 = 4096;

/// Width and height in CSS pixels, when `head` (the start of the file) says.
pub fn size(head: &[u8]) -> Option<(u32, u32)> {
    binary(head).or_else(|| svg(head)).and_then(positive)
}

/// [`size`]'s answer when the first bytes of a longer file settle it: a binary format found
/// there gives what any longer head gives (each reads at fixed places, or walks segments from
/// the start and gives up where the bytes end). `None`: read more. An SVG is never settled
/// early, since the bytes of a binary file cut short can hold text that reads as one.
pub fn size_from_start(head: &[u8]) -> Option<Option<(u32, u32)>> {
    binary(head).map(positive)
}

fn binary(head: &[u8]) -> Option<(u32, u32)> {
    png(head)
        .or_else(|| gif(head))
        .or_else(|| jpeg(head))
        .or_else(|| webp(head))
}

fn positive(found: (u32, u32)) -> Option<(u32, u32)> {
    (found.0 > 0 && found.1 > 0).then_some(found)
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn png(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(b"\x89PNG\r\n\x1a\n") || b.get(12..16)? != b"IHDR" {
        return None;
    }
    let word = |at: usize| Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?));
    Some((word(16)?, word(20)?))
}

fn gif(b: &[u8]) -> Option<(u32, u32)> {
    (b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")).then_some(())?;
    Some((le16(b, 6)?, le16(b, 8)?))
}

/// Walks the JPEG segments to the first start-of-frame, which holds the size.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    let mut at = 2;
    loop {
        while *b.get(at)? == 0xff && *b.get(at + 1)? == 0xff {
            at += 1;
        }
        if *b.get(at)? != 0xff {
            return None;
        }
        let marker = *b.get(at + 1)?;
        if matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            return Some((be16(b, at + 7)?, be16(b, at + 5)?));
        }
        if matches!(marker, 0xd0..=0xd9 | 0x01) {
            at += 2;
            continue;
        }
        at += 2 + usize::try_from(be16(b, at + 2)?).ok()?;
    }
}

fn webp(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(b"RIFF") || b.get(8..12)? != b"WEBP" {
        return None;
    }
    match b.get(12..16)? {
        b"VP8 " => Some((le16(b, 26)? & 0x3fff, le16(b, 28)? & 0x3fff)),
        b"VP8L" => {
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

/// The root `<svg>` tag's `width`/`height` (plain numbers or px), else its `viewBox`.
fn svg(b: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(b)
        .unwrap_or_else(|e| std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or_default());
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| {
        let at = tag.find(&format!(" {name}="))? + name.len() + 2;
        let quote = tag[at..].chars().next().filter(|q| matches!(q, '"' | '\''))?;
        let value = &tag[at + 1..];
        Some(&value[..value.find(quote)?])
    };
    let px = |value: &str| {
        let number: f64 = value.trim().trim_end_matches("px").trim().parse().ok()?;
        (number.is_finite() && (1.0..100_000.0).contains(&number)).then(|| number.round() as u32)
    };
    if let (Some(w), Some(h)) = (attr("width").and_then(px), attr("height").and_then(px)) {
        return Some((w, h));
    }
    let view: Vec<&str> = attr("viewBox")?
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect();
    match view.as_slice() {
        [_, _, w, h] => Some((px(w)?, px(h)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_gif_webp() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(37u32.to_be_bytes());
        png.extend(23u32.to_be_bytes());
        assert_eq!(size(&png), Some((37, 23)));
        assert_eq!(size(b"GIF89a\x10\x00\x20\x00"), Some((16, 32)));
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        vp8x.extend([99, 0, 0, 49, 0, 0]);
        assert_eq!(size(&vp8x), Some((100, 50)));
    }

    #[test]
    fn jpeg_after_other_segments() {
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xff, 0xc2, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x02, 0x58]);
        assert_eq!(size(&jpeg), Some((600, 300)));
        assert_eq!(size(&[0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff]), None);
    }

    #[test]
    fn a_settled_start_gives_the_answer_of_the_whole_head() {
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe1, 0x10, 0x00];
        jpeg.extend(b"<svg width=\"9\" height=\"9\">");
        jpeg.resize(0x1004, 0);
        jpeg.extend([0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x02, 0x58]);
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(0u32.to_be_bytes());
        png.extend(23u32.to_be_bytes());
        let svg = br#"<svg width="12" height="34">"#.to_vec();
        for file in [jpeg, png, svg] {
            for cut in 0..=file.len() {
                if let Some(answer) = size_from_start(&file[..cut]) {
                    assert_eq!(answer, size(&file), "cut at {cut}");
                }
            }
        }
        // The JPEG's size lies past its text, which a head cut short would take for an SVG.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe1, 0x10, 0x00];
        jpeg.extend(b"<svg width=\"9\" height=\"9\">");
        assert_eq!(size_from_start(&jpeg), None);
    }

    #[test]
    fn svg_attributes_or_view_box() {
        assert_eq!(
            size(br#"<?xml?><svg xmlns="x" width="120" height="80px">"#),
            Some((120, 80))
        );
        assert_eq!(
            size(br#"<svg width="100%" viewBox="0 0 640.4 200">"#),
            Some((640, 200))
        );
        assert_eq!(size(br#"<svg width="10em" height="2em">"#), None);
        assert_eq!(size(b"<svg"), None);
    }

    #[test]
    fn garbage_has_no_size() {
        for bytes in [
            &b""[..],
            b"\x89PNG",
            b"GIF89a",
            b"RIFF",
            b"\xff\xd8",
            b"hello",
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\0",
        ] {
            assert_eq!(size(bytes), None);
        }
    }
}
