/**
 * A NetAtmo token store in a SQL database over plain JDBC, for processes on several hosts that share one NetAtmo
 * account. See {@link io.github.netatmotoken.jdbc}.
 */
module io.github.netatmotoken.jdbc {
    requires transitive io.github.netatmotoken.core;
    requires transitive java.sql;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.github.netatmotoken.jdbc;
}
