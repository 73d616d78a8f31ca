package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the status page says in each situation a user meets, rendered from a real token source. */
class StatusPageTest {
    private static final URI REDIRECT = URI.create("http://nas.local:9210/auth/callback");

    private final FakeClock clock = new FakeClock();
    private final TokenStore store = TokenStore.inMemory();
    private RefreshingTokenSource tokens;

    @AfterEach
    void close() throws IOException {
        if (tokens != null) {
            tokens.close();
        }
    }

    private String render(DataSnapshot data, Notice notice) throws IOException {
        tokens = RefreshingTokenSource.builder().store(store).client(new RefusingClient()).clock(clock)
                .ticker(clock).backgroundRefresh(false).build();
        StatusPage page = new StatusPage(tokens::status, () -> data, clock, new StatusPage.Setup(
                "token file /var/lib/netatmo/token.json", REDIRECT, URI.create("https://api.netatmo.com"), false,
                false, false), new Csrf(new Hmac(new SecureRandom()), "/"));
        return page.render("field-value", notice);
    }

    private void authorized() throws IOException {
        store.save(new Token("access-a", "refresh-r", clock.instant().plus(Duration.ofHours(3))));
    }

    private DataSnapshot waitingForAToken() {
        return DataSnapshot.EMPTY.failed("Not authorized yet: open the status page", true, clock.instant(),
                Duration.ZERO);
    }

    @Test
    void aFreshInstallWaitsWithoutShowingAnError() throws IOException {
        String page = render(waitingForAToken(), null);

        assertTrue(page.contains("data-state=\"NOT_AUTHENTICATED\""), page);
        assertTrue(page.contains("waiting for authorization"), page);
        assertFalse(page.contains("class=\"bad\""), "nothing is red: " + page);
        assertTrue(page.contains("<section id=\"authorize-box\" class=\"box\">"), "the box is shown: " + page);
        assertTrue(page.contains("<label for=\"refresh_token\">"), page);
        assertTrue(page.contains("name=\"csrf\" value=\"field-value\""), page);
    }

    @Test
    void rightAfterAnAuthorizationItSaysSoAndThatDataIsLoading() throws IOException {
        authorized();

        String page = render(waitingForAToken(), Notice.AUTHORIZED);

        assertTrue(page.contains("id=\"notice\""), page);
        assertTrue(page.contains("Authorized with NetAtmo") && page.contains("Loading data…"), page);
        assertTrue(page.contains("loading data with the new token"), page);
        assertFalse(page.contains("Not authorized yet"), "the old waiting message is gone: " + page);
        assertFalse(page.contains("class=\"bad\""), page);
        assertTrue(page.contains("id=\"authorize-box\" class=\"box\" hidden"), "the box is hidden: " + page);
    }

    @Test
    void withDataItListsTheStationsAndModulesItReads() throws IOException {
        authorized();
        Instant read = clock.instant().minusSeconds(90);
        DataSnapshot data = DataSnapshot.EMPTY.succeeded(List.of(
                new ModuleReading("70:ee:50:00:00:01", "NAMain", "Living <b>Room</b>", "Home", "House", read,
                        Map.of(Measurement.TEMPERATURE, 21.0)),
                new ModuleReading("02:00:00:00:00:02", "NAModule1", "Garden", "Home", "House", null, Map.of())),
                null, null, read, Duration.ofMillis(80));

        String page = render(data, Notice.AUTHORIZED);

        assertTrue(page.contains("<ul id=\"stations\">"), page);
        assertTrue(page.contains("Living &lt;b&gt;Room&lt;/b&gt; <span class=\"muted\">main unit"), page);
        assertTrue(page.contains("Garden <span class=\"muted\">outdoor module, no recent reading"), page);
        assertTrue(page.contains("<td id=\"data-modules\">2 modules, read <time datetime=\""), page);
        assertTrue(page.contains("Data loaded: 2 modules."), page);
        assertTrue(page.contains("data-since=\"" + read + "\">1m 30s ago"), page);
    }

    @Test
    void theSetupSaysWhatToRegisterWhereTheTokenIsAndTheVersion() throws IOException {
        String page = render(DataSnapshot.EMPTY, null);

        assertTrue(page.contains("<code>http://nas.local:9210/auth/callback</code>"), page);
        assertTrue(page.contains("register it as your app's redirect URI"), page);
        assertTrue(page.contains("token file /var/lib/netatmo/token.json"), page);
        assertTrue(page.contains("<td id=\"version\">" + Version.VERSION + "</td>"), page);
    }

    @Test
    void timesAreMachineReadableUtcWithACountdown() throws IOException {
        authorized();
        Instant expiry = clock.instant().plus(Duration.ofHours(3));

        String page = render(DataSnapshot.EMPTY, null);

        assertTrue(page.contains("<time datetime=\"" + expiry + "\">"), page);
        assertTrue(page.contains(" UTC</time>"), page);
        assertTrue(page.contains("data-until=\"" + expiry + "\">in 3h 0m"), page);
    }

    @Test
    void everyLinkIsRelative() throws IOException {
        String page = render(DataSnapshot.EMPTY, null);

        assertFalse(page.matches("(?s).*(href|action|src)=\"/.*"), page);
    }

    private static final class RefusingClient implements TokenClient {
        @Override
        public Token refresh(String refreshToken) throws IOException {
            throw new IOException("not in this test");
        }

        @Override
        public Token exchangeCode(String code, URI redirectUri) throws IOException {
            throw new IOException("not in this test");
        }
    }
}
