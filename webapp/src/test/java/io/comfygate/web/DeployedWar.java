package io.comfygate.web;

import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What most IT classes start from: the packaged WAR deployed once for the class in the Tomcat the
 * build shares among them, and {@link #http} to call it. (Classes that deploy and undeploy the WAR
 * themselves extend {@link RedeployableWar}.)
 */
@ExtendWith(ArquillianExtension.class)
abstract class DeployedWar {
  @Deployment(testable = false)
  static WebArchive war() {
    return ItHttp.packagedWar();
  }

  @ArquillianResource URL base;
  /** HTTP to the deployed WAR, a new client for each test. */
  ItHttp http;

  @BeforeEach
  final void connect() {
    http = new ItHttp(base);
  }
}
