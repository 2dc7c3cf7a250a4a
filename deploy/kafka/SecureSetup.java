// Creates the secure broker's topics and ACLs with Kafka's Admin API (the ACL tool's jar
// is not among the broker's): `java -cp 'kafka-libs/*' SecureSetup.java admin.properties plan`.
// Plan lines: `topic NAME PARTITIONS` or `acl USER OPERATION RESOURCE_TYPE NAME PATTERN`.
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.FileReader;
import java.util.*;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.*;

public class SecureSetup {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (FileReader reader = new FileReader(args[0])) { props.load(reader); }
        List<NewTopic> topics = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        Map<String, String> permanent = Map.of(
            "retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete",
            "min.insync.replicas", "1");
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("topic")) {
                topics.add(new NewTopic(f[1], Integer.parseInt(f[2]), (short) 1).configs(permanent));
            } else if (f[0].equals("acl")) {
                acls.add(new AclBinding(
                    new ResourcePattern(ResourceType.valueOf(f[3]), f[4], PatternType.valueOf(f[5])),
                    new AccessControlEntry("User:" + f[1], "*", AclOperation.valueOf(f[2]),
                        AclPermissionType.ALLOW)));
            }
        }
        try (Admin admin = Admin.create(props)) {
            for (Map.Entry<String, KafkaFuture<Void>> made : admin.createTopics(topics).values().entrySet()) {
                try { made.getValue().get(); }
                catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
            admin.createAcls(acls).all().get();
            // The broker's authorizer applies new ACLs from the metadata log a moment
            // later; answer only once it lists them all (its describe reads that cache).
            for (int i = 0; i < 100; i++) {
                Collection<AclBinding> known = admin.describeAcls(AclBindingFilter.ANY).values().get();
                if (known.containsAll(acls)) break;
                Thread.sleep(100);
            }
        }
        System.out.println(topics.size() + " topics, " + acls.size() + " ACLs");
    }
}
