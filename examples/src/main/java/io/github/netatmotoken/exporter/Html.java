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

    /**
     * A whole page around {@code body}, which must already be escaped, with the exporter's style sheet.
     *
     * @param root the relative path to the exporter's root from the page ({@code ""} or {@code "../"})
     */
    static String page(String title, String body, String root) {
        return page(title, body, root, "");
    }

    /** As {@link #page(String, String, String)}, with {@code head} (markup, already escaped) added to the head. */
    static String page(String title, String body, String root, String head) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + "</title><link rel=\"stylesheet\" href=\"" + escape(root)
                + "style.css\">" + head + "</head><body>\n" + body + "\n</body></html>\n";
    }
}
