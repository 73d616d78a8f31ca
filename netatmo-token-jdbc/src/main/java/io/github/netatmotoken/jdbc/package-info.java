/**
 * A NetAtmo token store in a SQL database over plain JDBC, so that processes on several hosts share one NetAtmo
 * account and its rotating refresh token. PostgreSQL first. The module needs only {@code java.sql}, the core and
 * SLF4J: the application brings the JDBC driver and the {@link javax.sql.DataSource} (and its connection pool).
 *
 * <p>Everything is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.netatmotoken.jdbc;

import org.jspecify.annotations.NullMarked;
