package io.github.netatmotoken.exporter;

/** Builds the exporter's small HTML pages; every value goes through {@link #escape}. */
final class Html {
    private Html() {
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    static String escape(Object value) {
        String s = String.valueOf(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A whole page around {@code body}, which must already be escaped. */
    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
                + "line-height:1.45;color:#222}"
                + "table{border-collapse:collapse}td,th{text-align:left;padding:.2rem .8rem .2rem 0;"
                + "vertical-align:top}"
                + ".ok{color:#1a7f37}.bad{color:#c62828}.warn{color:#9a6700}"
                + ".box{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}"
                + "input[type=text]{width:100%;box-sizing:border-box;font-family:monospace}"
                + "a.button,button{display:inline-block;padding:.4rem .9rem;border-radius:4px;border:1px solid #1f6feb;"
                + "background:#1f6feb;color:#fff;text-decoration:none;font-size:1rem;cursor:pointer}"
                + "</style></head><body>\n" + body + "\n</body></html>\n";
    }
}
