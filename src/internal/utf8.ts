/**
 * UTF-8 byte lengths without Node's globals, so modules the browser entry takes in can measure text.
 *
 * @since 0.1.0
 */

/**
 * The number of bytes `text` takes in UTF-8, as `TextEncoder` writes it (a lone surrogate becomes U+FFFD, 3
 * bytes), counted without encoding it.
 */
export const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4 // a surrogate pair: one code point above U+FFFF
      i++
    } else bytes += 3
  }
  return bytes
}
