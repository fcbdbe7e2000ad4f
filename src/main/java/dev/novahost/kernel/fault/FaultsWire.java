package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@link Faults} as the adapters speak them (the HTTP body, a scenario's {@code set-faults}, the console),
 * in plain Java values as a JSON parser gives them ({@code Boolean}, integral {@code Number}, {@code String},
 * {@code Map}), so that every adapter reads and writes the one shape:
 * <pre>{@code
 * {"forgetTimerCancel": {"space": 2, "times": 2},      // true, false, null or attributes
 *  "probeFailure": "EIO",                              // an errno name or null
 *  "seed": 42,                                         // optional: the injector picks one
 *  "inject": {"pci_iomap": {"retval": "ENOMEM", "probability": 50}},
 *  "remove": ["cancel_work_sync:4", "hrtimer_cancel:3", "free_irq"]}  // or a preset's name, "wrongCancelOrder"
 * }</pre>
 * An attribute left out is {@link FaultAttr#ALWAYS}'s; {@code true} is ALWAYS itself. Bad input is
 * {@code EINVAL} naming the field, before anything is changed. The journal keeps each fault as one text
 * field ({@link #attrText}, {@link #attrOfText}).
 */
public final class FaultsWire {

    /** The attribute names, in the order they are written. */
    public static final List<String> ATTRIBUTES = List.of("probability", "interval", "times", "space", "verbose", "device", "site");

    private static final Pattern PCI_ADDRESS =
            Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]");

    private FaultsWire() {
    }

    /**
     * The faults {@code body} says; {@code defaultSeed} when it names none (a scenario's own seed), else
     * the injector picks one.
     */
    public static Faults read(Map<String, ?> body, OptionalLong defaultSeed) {
        for (String key : body.keySet()) {
            if (Fault.ofWord(key).isEmpty() && !List.of("probeFailure", "seed", "inject", "remove").contains(key)) {
                throw invalid("unknown field '" + key + "'; the fields are " + Fault.words()
                        + ", probeFailure, seed, inject and remove");
            }
        }
        var attrs = new EnumMap<Fault, FaultAttr>(Fault.class);
        for (Fault fault : Fault.values()) {
            attr(fault.word(), body.get(fault.word())).ifPresent(attr -> attrs.put(fault, attr));
        }
        var inject = new EnumMap<InjectionPoint, Faults.Injection>(InjectionPoint.class);
        Object points = body.get("inject");
        if (points != null) {
            if (!(points instanceof Map<?, ?> map)) {
                throw invalid("inject is an object keyed by injection point, e.g. {\"pci_iomap\": {\"retval\": \"ENOMEM\"}}");
            }
            for (var entry : map.entrySet()) {
                String word = String.valueOf(entry.getKey());
                var point = InjectionPoint.ofWord(word).orElseThrow(() -> invalid("unknown injection point '"
                        + word + "'; the points are " + Arrays.stream(InjectionPoint.values()).map(InjectionPoint::word).toList()));
                injection(point, entry.getValue()).ifPresent(injection -> inject.put(point, injection));
            }
        }
        Object seed = body.get("seed");
        var probeFailure = Optional.ofNullable(body.get("probeFailure")).map(value -> errno("probeFailure", value));
        return new Faults(attrs, inject, probeFailure, seed == null ? defaultSeed : OptionalLong.of(integer("seed", seed)),
                removeOrder(body.get("remove"), RemoveStep.Written::byId));
    }

    /**
     * The remove() order {@code value} says: a {@link RemovePreset}'s name, or a list of step words, each
     * step's target resolved by {@code resolve} (an id; in a scenario, an alias); null or an empty list: the
     * built-in order. {@code EINVAL} for anything else.
     */
    public static RemoveOrder removeOrder(Object value, Function<RemoveStep.Written, RemoveStep> resolve) {
        if (value == null) {
            return RemoveOrder.BUILT_IN;
        }
        if (value instanceof String name) {
            return RemoveOrder.of(RemovePreset.ofWord(name).orElseThrow(() -> invalid("remove '" + name
                    + "' is not a preset; the presets are " + RemovePreset.words() + ", or give a list of steps "
                    + RemoveStep.Kind.words())));
        }
        if (!(value instanceof List<?> words)) {
            throw invalid("remove is a list of steps " + RemoveStep.Kind.words() + " or a preset's name "
                    + RemovePreset.words() + ", was " + value);
        }
        var steps = new ArrayList<RemoveStep>();
        for (Object word : words) {
            if (!(word instanceof String text)) {
                throw invalid("remove: each step is a word such as \"hrtimer_cancel\" or \"hrtimer_cancel:3\", was " + word);
            }
            steps.add(resolve.apply(RemoveStep.split(text)));
        }
        return RemoveOrder.of(steps);
    }

    /** {@code order} as {@link #removeOrder} reads it: the preset's name, or the list of step words. */
    public static Object removeValue(RemoveOrder order) {
        return order.preset().<Object>map(RemovePreset::word).orElseGet(() -> RemoveStep.words(order.steps()));
    }

    /** {@code faults} in the shape {@link #read} takes: every fault ({@code false} when off), probeFailure, seed, inject, remove. */
    public static Map<String, Object> write(Faults faults) {
        var body = new LinkedHashMap<String, Object>();
        for (Fault fault : Fault.values()) {
            body.put(fault.word(), Optional.ofNullable(faults.attrs().get(fault)).map(FaultsWire::value).orElse(false));
        }
        body.put("probeFailure", faults.probeFailure().map(Enum::name).orElse(null));
        body.put("seed", faults.seed().isPresent() ? faults.seed().getAsLong() : null);
        var inject = new LinkedHashMap<String, Object>();
        faults.inject().forEach((point, injection) -> {
            var said = new LinkedHashMap<String, Object>();
            said.put("retval", injection.retval().name());
            said.putAll(attributes(injection.attr()));
            inject.put(point.word(), said);
        });
        body.put("inject", inject);
        body.put("remove", removeValue(faults.remove()));
        return body;
    }

    /** A fault's value: {@code true} for {@link FaultAttr#ALWAYS}, else its attributes. */
    public static Object value(FaultAttr attr) {
        return attr.equals(FaultAttr.ALWAYS) ? Boolean.TRUE : attributes(attr);
    }

    /** Every attribute by name ({@code device} and {@code site} only when they filter). */
    public static Map<String, Object> attributes(FaultAttr attr) {
        var said = new LinkedHashMap<String, Object>();
        said.put("probability", attr.probability());
        said.put("interval", attr.interval());
        said.put("times", attr.times());
        said.put("space", attr.space());
        said.put("verbose", attr.verbose());
        attr.device().ifPresent(device -> said.put("device", device));
        attr.site().ifPresent(site -> said.put("site", site.word()));
        return said;
    }

    /** The attributes {@code value} says for {@code field}: empty for {@code false} or null (off). */
    public static Optional<FaultAttr> attr(String field, Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return Optional.empty();
        }
        if (Boolean.TRUE.equals(value)) {
            return Optional.of(FaultAttr.ALWAYS);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(field + " is true, false or an object of attributes " + ATTRIBUTES + ", was " + value);
        }
        return Optional.of(attrOf(field, map, List.of()));
    }

    /** {@code probability=50,interval=1,times=-1,space=0,verbose=1} (and {@code ,device=...}, {@code ,site=...}; a record without them filters neither): a journal field. */
    public static String attrText(FaultAttr attr) {
        var said = new StringBuilder();
        attributes(attr).forEach((name, value) -> said.append(said.isEmpty() ? "" : ",").append(name).append('=').append(value));
        return said.toString();
    }

    /** The attributes {@link #attrText} wrote; other keys ({@code retval}) are left to the caller. */
    public static FaultAttr attrOfText(String text) {
        var map = parseText(text);
        map.remove("retval");
        return attrOf("attributes", map, List.of());
    }

    /** The {@code retval} in a text {@link #injectionText} wrote. */
    public static Faults.Injection injectionOfText(InjectionPoint point, String text) {
        var map = parseText(text);
        Object retval = map.remove("retval");
        return new Faults.Injection(attrOf(point.word(), map, List.of()),
                retval == null ? point.defaultErrno() : errno(point.word() + ".retval", retval)).checkedFor(point);
    }

    /** {@code retval=ENOMEM,probability=...}: an injection as one journal field. */
    public static String injectionText(Faults.Injection injection) {
        return "retval=" + injection.retval().name() + "," + attrText(injection.attr());
    }

    private static Map<String, Object> parseText(String text) {
        var map = new LinkedHashMap<String, Object>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw invalid("'" + pair + "' is not name=value");
            }
            String name = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            map.put(name, name.equals("device") || name.equals("retval") || name.equals("site") ? value : Long.valueOf(value));
        }
        return map;
    }

    private static Optional<Faults.Injection> injection(InjectionPoint point, Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return Optional.empty();
        }
        if (Boolean.TRUE.equals(value)) {
            return Optional.of(new Faults.Injection(FaultAttr.ALWAYS, point.defaultErrno()));
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid("inject." + point.word() + " is true, false or an object {retval, " + String.join(", ", ATTRIBUTES)
                    + "}, was " + value);
        }
        Object retval = map.get("retval");
        var errno = retval == null ? point.defaultErrno() : errno("inject." + point.word() + ".retval", retval);
        return Optional.of(new Faults.Injection(attrOf("inject." + point.word(), map, List.of("retval")), errno)
                .checkedFor(point));
    }

    private static FaultAttr attrOf(String field, Map<?, ?> map, List<String> others) {
        for (Object key : map.keySet()) {
            if (!ATTRIBUTES.contains(String.valueOf(key)) && !others.contains(String.valueOf(key))) {
                throw invalid(field + ": unknown attribute '" + key + "'; the attributes are " + ATTRIBUTES);
            }
        }
        var always = FaultAttr.ALWAYS;
        Object device = map.get("device");
        if (device != null && !(device instanceof String address && PCI_ADDRESS.matcher(address).matches())) {
            throw invalid(field + ".device is a PCI address (0000:01:00.0), was " + device);
        }
        Object site = map.get("site");
        var callSite = site == null ? Optional.<CallSite>empty() : Optional.of(CallSite.ofWord(String.valueOf(site))
                .filter(known -> site instanceof String)
                .orElseThrow(() -> invalid(field + ".site is one of " + CallSite.words() + ", was " + site)));
        try {
            return new FaultAttr(
                    (int) within(field + ".probability", map.get("probability"), always.probability(), 0, 100),
                    integer(field + ".interval", map.get("interval"), always.interval()),
                    integer(field + ".times", map.get("times"), always.times()),
                    integer(field + ".space", map.get("space"), always.space()),
                    (int) within(field + ".verbose", map.get("verbose"), always.verbose(), 0, 2),
                    Optional.ofNullable((String) device), callSite);
        } catch (KernelException bad) {
            throw invalid(field + ": " + bad.getMessage());
        }
    }

    private static long within(String field, Object value, long otherwise, long min, long max) {
        long said = integer(field, value, otherwise);
        if (said < min || said > max) {
            throw invalid(field + " must be between " + min + " and " + max + ", was " + said);
        }
        return said;
    }

    private static long integer(String field, Object value, long otherwise) {
        return value == null ? otherwise : integer(field, value);
    }

    private static long integer(String field, Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        throw invalid(field + " is an integer (-2^63..2^63-1), was " + value);
    }

    private static Errno errno(String field, Object value) {
        return Arrays.stream(Errno.values()).filter(errno -> errno.name().equals(value)).findFirst()
                .orElseThrow(() -> invalid(field + " '" + value + "' is not an errno name (e.g. EIO, ENOMEM, EPROBE_DEFER)"));
    }

    private static KernelException invalid(String detail) {
        return KernelException.of(Errno.EINVAL, detail);
    }
}
