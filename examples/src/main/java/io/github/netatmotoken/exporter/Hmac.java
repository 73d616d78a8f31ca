package io.github.netatmotoken.exporter;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with a random key made at start and never stored: values signed by one run of the exporter are
 * recognized by that run only. Also the source of random browser ids. Thread-safe.
 */
final class Hmac {
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random;
    private final SecretKeySpec key;

    Hmac(SecureRandom random) {
        this.random = random;
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** {@code bytes} random bytes, base64url without padding. */
    String randomId(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return BASE64.encodeToString(b);
    }

    /** The signature of {@code message}, base64url without padding. */
    String sign(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return BASE64.encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code signature} is the signature of {@code message}, compared in constant time. */
    boolean verify(String message, String signature) {
        return signature != null && MessageDigest.isEqual(sign(message).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.UTF_8));
    }
}
