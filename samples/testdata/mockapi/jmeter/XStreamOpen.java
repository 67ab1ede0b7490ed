import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Starts Debian's JMeter 2.13 (package jmeter 2.13-5) non-GUI after opening
 * the type allow-list of the XStream instances JMeter reads its files with.
 *
 * Why: Debian ships JMeter 2.13 with its own libxstream-java (1.4.20), which
 * denies every type not allowed explicitly (XStream 1.4.18 and later);
 * JMeter 2.13 was written for XStream 1.4.8 and never allows any, so it
 * fails to read any test plan ("ForbiddenClassException:
 * org.apache.jmeter.save.ScriptWrapper"). This launcher loads JMeter's
 * properties, allows any type on SaveService's two XStream instances (what
 * XStream did before 1.4.18) and hands over to JMeter's own NewDriver with
 * the same arguments. Nothing else of JMeter is touched.
 *
 * Reflection only, so it compiles with a bare javac:
 *   javac -d BUILD XStreamOpen.java
 *   java -cp BUILD:/usr/share/jmeter/bin/ApacheJMeter.jar:/usr/share/jmeter/lib/ext/ApacheJMeter_core.jar:/usr/share/jmeter/lib/jorphan.jar \
 *        -Djmeter.home=/usr/share/jmeter XStreamOpen -n -t plan.jmx ...
 */
public class XStreamOpen {
    public static void main(String[] args) throws Throwable {
        String home = System.getProperty("jmeter.home", "/usr/share/jmeter");
        Class<?> utils = Class.forName("org.apache.jmeter.util.JMeterUtils");
        utils.getMethod("setJMeterHome", String.class).invoke(null, home);
        utils.getMethod("loadJMeterProperties", String.class).invoke(null, home + "/bin/jmeter.properties");

        Class<?> save = Class.forName("org.apache.jmeter.save.SaveService");
        Class<?> perm = Class.forName("com.thoughtworks.xstream.security.TypePermission");
        Object any = Class.forName("com.thoughtworks.xstream.security.AnyTypePermission").getField("ANY").get(null);
        for (String name : new String[] {"JMXSAVER", "JTLSAVER"}) {
            Field f = save.getDeclaredField(name);
            f.setAccessible(true);
            Object xs = f.get(null);
            Method add = Class.forName("com.thoughtworks.xstream.XStream").getMethod("addPermission", perm);
            add.invoke(xs, any);
        }
        Class.forName("org.apache.jmeter.NewDriver").getMethod("main", String[].class).invoke(null, (Object) args);
    }
}
