package dev.udsgate.http;

import dev.udsgate.system.BuildInfo;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.PreEncodedHttpField;

/** Headers every API response carries, encoded once. */
public final class ApiHeaders {

    public static final HttpField API_VERSION = new PreEncodedHttpField("Api-Version", BuildInfo.API_VERSION);

    private ApiHeaders() {}
}
