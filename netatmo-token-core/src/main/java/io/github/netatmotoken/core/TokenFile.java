package io.github.netatmotoken.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.github.netatmotoken.core.internal.JsonTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The token file format shared with the Go netatmo-exporter:
 * {@code {"access_token":"…","refresh_token":"…","expiry":"2023-07-16T20:32:06.400559267+02:00"}}.
 *
 * <p>Reading is tolerant of what other writers leave behind (unknown fields, Go's zero time, empty strings, a
 * byte order mark) and strict about everything else: whatever cannot be understood is a
 * {@link TokenFileException}, never a guess. Writing produces the three attributes, the expiry in UTC with
 * nanoseconds.
 */
final class TokenFile {
    private static final Logger log = LoggerFactory.getLogger(FileTokenStore.class);

    static final String ACCESS_TOKEN = "access_token";
    static final String REFRESH_TOKEN = "refresh_token";
    static final String EXPIRY = "expiry";

    /** What golang.org/x/oauth2 writes for a token without expiry. */
    static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /** RFC 3339 date-time: four-digit year, optional fraction up to nanoseconds, {@code Z} or {@code ±hh:mm}. */
    static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendValue(ChronoField.YEAR, 4, 4, SignStyle.NOT_NEGATIVE).appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 2).appendLiteral('-')
            .appendValue(ChronoField.DAY_OF_MONTH, 2).appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter(Locale.ROOT)
            .withChronology(IsoChronology.INSTANCE)
            .withResolverStyle(ResolverStyle.STRICT);

    private static final DateTimeFormatter WRITE_FORMAT = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR, 4, 4, SignStyle.NOT_NEGATIVE).appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 2).appendLiteral('-')
            .appendValue(ChronoField.DAY_OF_MONTH, 2).appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2).appendLiteral('.')
            .appendValue(ChronoField.NANO_OF_SECOND, 9).appendLiteral('Z')
            .toFormatter(Locale.ROOT)
            .withChronology(IsoChronology.INSTANCE)
            .withZone(ZoneOffset.UTC);

    /** What a date is made of: an expiry with other characters is never shown, as it might be a token. */
    private static final String DATE_CHARACTERS = "0123456789-+:.TtZz ";

    /** The earliest and latest expiry the file format can hold (a four-digit year). */
    static final Instant MIN_EXPIRY = Instant.parse("0000-01-01T00:00:00Z");
    static final Instant MAX_EXPIRY = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /** A repeated attribute is an error: which of two tokens is the right one cannot be guessed. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private TokenFile() {
    }

    /**
     * Interprets the bytes of a token file. Missing attributes are logged as warnings naming the attribute and
     * the file, and a missing expiry becomes {@code now} where a refresh token can renew the access token.
     *
     * @return the token, or empty if the file holds neither an access nor a refresh token
     * @throws TokenFileException if the bytes are not a token file
     */
    static Optional<Token> parse(Path file, byte[] bytes, Instant now) throws TokenFileException {
        Map<?, ?> root = readJson(file, bytes);
        String access = text(file, root, ACCESS_TOKEN);
        String refresh = text(file, root, REFRESH_TOKEN);
        String expiryText = text(file, root, EXPIRY);
        Instant expiry = expiryText == null ? null : parseExpiry(file, expiryText);
        boolean goZeroTime = GO_ZERO_TIME.equals(expiry);
        if (goZeroTime) {
            expiry = null;
        }

        if (access == null && refresh == null) {
            log.warn("Token file {} holds neither an access_token nor a refresh_token; authorize again to create"
                    + " a token", file);
            return Optional.empty();
        }
        if (access == null) {
            log.warn("Token file {} has no access_token{}; a new one will be requested with the refresh_token"
                    + " before first use", file, expiry == null ? " and no expiry" : "");
            return Optional.of(new Token(null, refresh, now));
        }
        if (expiry == null) {
            String missing = goZeroTime ? "no expiry (Go's zero time 0001-01-01T00:00:00Z)" : "no expiry";
            if (refresh != null) {
                log.warn("Token file {} has {}; treating the access token as expiring now so that it is"
                        + " refreshed at once", file, missing);
                expiry = now;
            } else {
                log.warn("Token file {} has {}; the access token will be used until NetAtmo rejects it", file,
                        missing);
            }
        }
        if (refresh == null) {
            log.warn("Token file {} has no refresh_token: the access token cannot be renewed automatically;"
                    + " you will have to authorize again {}", file,
                    expiry == null ? "once NetAtmo rejects it" : "after it expires at " + expiry);
        }
        return Optional.of(new Token(access, refresh, expiry));
    }

    /** The file's bytes for a token: the present attributes, the expiry in UTC with nanoseconds, one line. */
    static byte[] format(Token token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (token.accessToken() != null) {
                json.writeStringField(ACCESS_TOKEN, token.accessToken());
            }
            if (token.refreshToken() != null) {
                json.writeStringField(REFRESH_TOKEN, token.refreshToken());
            }
            if (token.expiry() != null) {
                json.writeStringField(EXPIRY, formatExpiry(token.expiry()));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    static String formatExpiry(Instant expiry) {
        if (expiry.isBefore(MIN_EXPIRY) || expiry.isAfter(MAX_EXPIRY)) {
            throw new IllegalArgumentException("expiry " + expiry + " is outside the years 0000 to 9999 that a"
                    + " token file (RFC 3339) can hold");
        }
        return WRITE_FORMAT.format(expiry);
    }

    static Instant parseExpiry(Path file, String text) throws TokenFileException {
        try {
            return RFC_3339.parse(text, OffsetDateTime::from).toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            // A hand-edited file may hold a token here; show the text (and the parser's message quoting it)
            // only if it is made of the characters of a date.
            boolean dateLike = text.length() <= 40 && text.chars().allMatch(c -> DATE_CHARACTERS.indexOf(c) >= 0);
            String shown = dateLike ? "\"" + text + "\"" : "(" + text.length() + " characters, not shown)";
            throw new TokenFileException(file, "expiry " + shown + " is not an RFC 3339 date-time such as"
                    + " 2023-07-16T20:32:06.400559267+02:00; fix or remove the expiry attribute", dateLike ? e : null);
        }
    }

    private static Map<?, ?> readJson(Path file, byte[] bytes) throws TokenFileException {
        if (bytes.length == 0) {
            throw new TokenFileException(file, "is empty (0 bytes), perhaps blanked by a crash of the program"
                    + " that wrote it; restore it from a backup, or delete it and authorize again");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenFileException(file, "is not UTF-8 text; a token file is JSON", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            throw new TokenFileException(file, "holds only whitespace, perhaps blanked by a crash of the program"
                    + " that wrote it; restore it from a backup, or delete it and authorize again");
        }
        if (text.chars().allMatch(c -> c == 0 || Character.isWhitespace(c))) {
            throw new TokenFileException(file, "holds only NUL bytes, perhaps zeroed by a crash of the program"
                    + " that wrote it; restore it from a backup, or delete it and authorize again");
        }
        Object root = readTree(file, text);
        if (!(root instanceof Map<?, ?> object)) {
            throw new TokenFileException(file, "holds " + JsonTree.kind(root) + " where a JSON object"
                    + " {\"access_token\":…,\"refresh_token\":…,\"expiry\":…} belongs");
        }
        return object;
    }

    private static @Nullable Object readTree(Path file, String text) throws TokenFileException {
        try (JsonParser parser = JSON.createParser(text)) {
            try {
                Object root = JsonTree.read(parser);
                if (parser.nextToken() != null) {
                    // Located at the start of the trailing token, as databind's FAIL_ON_TRAILING_TOKENS did.
                    throw new JsonParseException(parser, "trailing token after the value",
                            parser.currentTokenLocation());
                }
                return root;
            } catch (JsonProcessingException e) {
                // Some errors (nesting too deep, a number too long) carry no location; the parser knows it.
                JsonLocation at = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
                boolean atEnd = e instanceof JsonEOFException || at.getCharOffset() >= text.length();
                String what = atEnd ? "ends early (truncated?)" : "is not valid JSON";
                // Jackson's own message may quote the offending text, which can be a token: leave it out.
                throw new TokenFileException(file, what + " at line " + at.getLineNr() + ", column "
                        + at.getColumnNr() + "; expected {\"access_token\":…,\"refresh_token\":…,\"expiry\":…}",
                        null);
            }
        } catch (TokenFileException e) {
            throw e;
        } catch (IOException e) {
            throw new TokenFileException(file, "could not be parsed as JSON (" + e.getClass().getSimpleName() + ")",
                    null);
        }
    }

    private static @Nullable String text(Path file, Map<?, ?> root, String name) throws TokenFileException {
        Object node = root.get(name);
        if (node == null || node == JsonTree.NULL) {
            return null;
        }
        if (!(node instanceof String value)) {
            throw new TokenFileException(file, "attribute \"" + name + "\" must be a string but is "
                    + JsonTree.kind(node));
        }
        return value.isEmpty() ? null : value;
    }
}
