package io.comfygate.web;

import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What IT classes start from that deploy and undeploy the WAR themselves (to redeploy it midway):
 * the packaged WAR as an unmanaged deployment in the Tomcat the build shares, and {@link #http} to
 * call it once deployed. (Classes that keep one deployment throughout extend {@link DeployedWar}.)
 */
@ExtendWith(ArquillianExtension.class)
abstract class RedeployableWar {
  private static final String WAR = "war";

  @Deployment(name = WAR, managed = false, testable = false)
  static WebArchive war() {
    return ItHttp.packagedWar();
  }

  @ArquillianResource Deployer deployer;
  /** HTTP to the WAR at its context path (answers only while it is deployed). */
  final ItHttp http = ItHttp.deployed();

  void deployWar() {
    deployer.deploy(WAR);
  }

  void undeployWar() {
    deployer.undeploy(WAR);
  }
}
