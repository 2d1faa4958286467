package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.PipelineStats.State;
import dev.sluice.ProgressListener;
import dev.sluice.StageStats;
import dev.sluice.Timeline;
import dev.sluice.Timeline.Sample;
import dev.sluice.Timeline.StageSample;
import dev.sluice.testing.ThreadLeakExtension;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The timeline recorder and its SVG, read back with the JDK's XML parser. */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(30)
class TimelineTest {

  private static final String ODD_NAME = "fetch <&\"'>";
  private static final double[] TIMES = {0.1, 0.2, 0.3, 0.4, 0.5};
  private static final int[] SRC_BUSY = {1, 1, 0, 1, 0};
  private static final int[] FETCH_BUSY = {1, 4, 2, 0, 3};
  private static final int[] FETCH_QUEUED = {0, 8, 16, 4, 0};
  private static final int[] STORE_BUSY = {0, 1, 1, 1, 0};

  private static StageStats stage(
      String name, String kind, int workers, int busy, int queued, int capacity, Duration at) {
    return new StageStats(
        name,
        kind,
        workers,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        queued,
        capacity,
        busy,
        Duration.ZERO,
        Duration.ZERO,
        at);
  }

  private static PipelineStats snapshot(int i, State state) {
    Duration at = Duration.ofMillis(Math.round(TIMES[i] * 1000));
    return new PipelineStats(
        state,
        at,
        List.of(
            stage("src", "source", 1, SRC_BUSY[i], 0, 0, at),
            stage(ODD_NAME, "map", 4, FETCH_BUSY[i], FETCH_QUEUED[i], 16, at),
            stage("store", "forEach", 2, STORE_BUSY[i], 1, Integer.MAX_VALUE, at)));
  }

  /** A timeline fed the five snapshots, the last as the finish. */
  private static Timeline recorded() {
    Timeline timeline = Timeline.create();
    for (int i = 0; i < TIMES.length - 1; i++) {
      timeline.onProgress(snapshot(i, State.RUNNING));
    }
    timeline.onFinish(snapshot(TIMES.length - 1, State.SUCCEEDED));
    return timeline;
  }

  /**
   * An element of a parsed document: enough of the DOM for these tests.
   *
   * @param tag the element's local name
   * @param namespace its namespace URI
   * @param attributes its attributes
   * @param text its text content, descendants included
   * @param children its child elements
   */
  record Element(
      String tag,
      String namespace,
      Map<String, String> attributes,
      String text,
      List<Element> children) {

    String attribute(String name) {
      return attributes.getOrDefault(name, "");
    }

    /** This element and every element below it, in document order. */
    List<Element> all() {
      List<Element> all = new ArrayList<>();
      all.add(this);
      for (Element child : children) {
        all.addAll(child.all());
      }
      return all;
    }
  }

  /**
   * Parses {@code svg} with the JDK's DOM parser (namespace aware, DTDs refused) and copies the
   * element tree. Test code is compiled into module {@code dev.sluice}, which does not read {@code
   * java.xml}, so the parser is reached by reflection; the tests run on the class path, where every
   * system module is readable.
   */
  private static Element parse(String svg) throws Exception {
    try {
      Class<?> factoryType = Class.forName("javax.xml.parsers.DocumentBuilderFactory");
      Object factory = factoryType.getMethod("newInstance").invoke(null);
      factoryType.getMethod("setNamespaceAware", boolean.class).invoke(factory, true);
      factoryType
          .getMethod("setFeature", String.class, boolean.class)
          .invoke(factory, "http://apache.org/xml/features/disallow-doctype-decl", true);
      Object builder = factoryType.getMethod("newDocumentBuilder").invoke(factory);
      Object document =
          Class.forName("javax.xml.parsers.DocumentBuilder")
              .getMethod("parse", InputStream.class)
              .invoke(builder, new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
      Object root =
          Class.forName("org.w3c.dom.Document").getMethod("getDocumentElement").invoke(document);
      return copy(root, new Dom());
    } catch (InvocationTargetException e) {
      throw (Exception) e.getCause(); // a SAXParseException: not well-formed
    }
  }

  /** The DOM methods the copy uses. */
  private static final class Dom {
    final Method nodeType;
    final Method localName;
    final Method namespace;
    final Method childNodes;
    final Method attributes;
    final Method textContent;
    final Method nodeName;
    final Method nodeValue;
    final Method listLength;
    final Method listItem;
    final Method mapLength;
    final Method mapItem;

    Dom() throws ReflectiveOperationException {
      Class<?> node = Class.forName("org.w3c.dom.Node");
      Class<?> list = Class.forName("org.w3c.dom.NodeList");
      Class<?> map = Class.forName("org.w3c.dom.NamedNodeMap");
      nodeType = node.getMethod("getNodeType");
      localName = node.getMethod("getLocalName");
      namespace = node.getMethod("getNamespaceURI");
      childNodes = node.getMethod("getChildNodes");
      attributes = node.getMethod("getAttributes");
      textContent = node.getMethod("getTextContent");
      nodeName = node.getMethod("getNodeName");
      nodeValue = node.getMethod("getNodeValue");
      listLength = list.getMethod("getLength");
      listItem = list.getMethod("item", int.class);
      mapLength = map.getMethod("getLength");
      mapItem = map.getMethod("item", int.class);
    }
  }

  private static Element copy(Object node, Dom dom) throws ReflectiveOperationException {
    Map<String, String> attributes = new LinkedHashMap<>();
    Object map = dom.attributes.invoke(node);
    for (int i = 0; i < (int) dom.mapLength.invoke(map); i++) {
      Object attribute = dom.mapItem.invoke(map, i);
      attributes.put(
          (String) dom.nodeName.invoke(attribute), (String) dom.nodeValue.invoke(attribute));
    }
    List<Element> children = new ArrayList<>();
    Object list = dom.childNodes.invoke(node);
    for (int i = 0; i < (int) dom.listLength.invoke(list); i++) {
      Object child = dom.listItem.invoke(list, i);
      if ((short) dom.nodeType.invoke(child) == 1) { // Node.ELEMENT_NODE
        children.add(copy(child, dom));
      }
    }
    Object namespace = dom.namespace.invoke(node);
    return new Element(
        (String) dom.localName.invoke(node),
        namespace == null ? "" : (String) namespace,
        Map.copyOf(attributes),
        (String) dom.textContent.invoke(node),
        List.copyOf(children));
  }

  private static List<Element> elements(Element document, String tag, String cssClass) {
    return document.all().stream()
        .filter(e -> e.tag().equals(tag) && e.attribute("class").equals(cssClass))
        .toList();
  }

  private static Element series(Element document, String tag, String cssClass, String stage) {
    List<Element> matching =
        elements(document, tag, cssClass).stream()
            .filter(e -> e.attribute("data-stage").equals(stage))
            .toList();
    assertThat(matching).as("%s.%s of stage %s", tag, cssClass, stage).hasSize(1);
    return matching.get(0);
  }

  /** The points of a polyline or polygon as {x, y} pairs. */
  private static List<double[]> points(Element element) {
    List<double[]> points = new ArrayList<>();
    for (String pair : element.attribute("points").trim().split("\\s+")) {
      String[] xy = pair.split(",");
      points.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
    }
    return points;
  }

  private static List<String> texts(Element document, String cssClass) {
    return elements(document, "text", cssClass).stream().map(Element::text).toList();
  }

  @Test
  void recordsEachStagesBusyWorkersAndQueuedItemsAtEverySnapshot() {
    Timeline timeline = recorded();

    List<Sample> samples = timeline.samples();

    assertThat(samples).hasSize(5);
    assertThat(samples.get(1))
        .isEqualTo(
            new Sample(
                Duration.ofMillis(200),
                List.of(
                    new StageSample("src", "source", 1, 1, 0, 0),
                    new StageSample(ODD_NAME, "map", 4, 4, 8, 16),
                    new StageSample("store", "forEach", 1, 2, 1, Integer.MAX_VALUE))));
    assertThat(timeline.state()).contains(State.SUCCEEDED);
  }

  @Test
  void theSvgIsWellFormedWithOneSeriesOfEachKindPerStageAndALegend() throws Exception {
    Element svg = parse(recorded().toSvg());

    assertThat(svg.tag()).isEqualTo("svg");
    assertThat(svg.namespace()).isEqualTo("http://www.w3.org/2000/svg");
    for (String stage : List.of("src", ODD_NAME, "store")) {
      series(svg, "polygon", "stacked", stage);
      series(svg, "polygon", "busy-area", stage);
      series(svg, "polyline", "busy", stage);
    }
    // The source has no input to draw; the others do.
    assertThat(elements(svg, "polyline", "queued"))
        .extracting(e -> e.attribute("data-stage"))
        .containsExactly(ODD_NAME, "store");
    assertThat(texts(svg, "legend")).containsExactlyInAnyOrder("src", ODD_NAME, "store");
    assertThat(texts(svg, "title"))
        .containsExactly("Pipeline timeline: src \u2192 " + ODD_NAME + " \u2192 store");
    assertThat(texts(svg, "subtitle"))
        .containsExactly("3 stages, 5 samples over 0.5s, SUCCEEDED; peak work in flight 6 items");
    assertThat(texts(svg, "x-tick")).contains("0s", "0.5s").allMatch(t -> t.endsWith("s"));
  }

  @Test
  void eachStagesBusyLineHasOnePointPerSampleScaledToItsWorkers() throws Exception {
    Element svg = parse(recorded().toSvg());
    Element panel = series(svg, "g", "panel", ODD_NAME);
    double bottom = points(series(svg, "polygon", "busy-area", ODD_NAME)).get(0)[1];
    double top = Double.NaN;
    for (Element rect : panel.children()) {
      if (rect.tag().equals("rect") && rect.attribute("fill").equals("#fafafa")) {
        top = Double.parseDouble(rect.attribute("y"));
      }
    }

    List<double[]> busy = points(series(svg, "polyline", "busy", ODD_NAME));

    assertThat(busy).hasSize(TIMES.length);
    double x0 = busy.get(0)[0];
    double span = busy.get(TIMES.length - 1)[0] - x0;
    for (int i = 0; i < TIMES.length; i++) {
      double[] point = busy.get(i);
      // x is proportional to time; y falls from the bottom by busy / workers of the height.
      assertThat((point[0] - x0) / span)
          .isCloseTo((TIMES[i] - TIMES[0]) / (TIMES[4] - TIMES[0]), within(0.001));
      assertThat(point[1]).isCloseTo(bottom - FETCH_BUSY[i] / 4.0 * (bottom - top), within(0.01));
    }
    List<double[]> queued = points(series(svg, "polyline", "queued", ODD_NAME));
    assertThat(queued).hasSize(TIMES.length);
    for (int i = 0; i < TIMES.length; i++) {
      assertThat(queued.get(i)[1])
          .isCloseTo(bottom - FETCH_QUEUED[i] / 16.0 * (bottom - top), within(0.01));
    }
  }

  @Test
  void theStackedAreasAddUpStageByStage() throws Exception {
    Element svg = parse(recorded().toSvg());
    List<double[]> source = points(series(svg, "polygon", "stacked", "src"));
    List<double[]> store = points(series(svg, "polygon", "stacked", "store"));
    double baseline = source.get(source.size() - 1)[1]; // the source's lower edge: zero

    int n = TIMES.length;
    assertThat(source).hasSize(2 * n);
    assertThat(store).hasSize(2 * n);
    double perItem = Double.NaN;
    for (int i = 0; i < n; i++) {
      int total = SRC_BUSY[i] + FETCH_BUSY[i] + STORE_BUSY[i];
      double height = baseline - store.get(i)[1]; // the top edge, left to right
      if (total == 0) {
        assertThat(height).isCloseTo(0, within(0.01));
      } else if (Double.isNaN(perItem)) {
        perItem = height / total;
      } else {
        assertThat(height / total).isCloseTo(perItem, within(0.01));
      }
      // The store's lower edge (right to left) is the top of the two stages below it.
      double below = baseline - store.get(2 * n - 1 - i)[1];
      assertThat(below).isCloseTo((SRC_BUSY[i] + FETCH_BUSY[i]) * perItem, within(0.01));
    }
  }

  @Test
  void namesAndTitlesAreEscapedAndCharactersXmlCannotHoldReplaced() throws Exception {
    Timeline timeline = Timeline.create("a <b> & \"c\"");
    Duration at = Duration.ofMillis(100);
    timeline.onProgress(
        new PipelineStats(
            State.RUNNING,
            at,
            List.of(
                stage("bell\u0007 & <x>", "source", 1, 1, 0, 0, at),
                stage(ODD_NAME, "map", 2, 1, 0, 4, at))));

    String text = timeline.toSvg();
    Element svg = parse(text);

    assertThat(texts(svg, "title")).containsExactly("a <b> & \"c\"");
    series(svg, "polyline", "busy", "bell\uFFFD & <x>");
    series(svg, "polyline", "busy", ODD_NAME);
    assertThat(text).doesNotContain("\u0007").contains("fetch &lt;&amp;&quot;&apos;&gt;");
  }

  @Test
  void anEmptyTimelineIsAValidDocumentThatSaysSo() throws Exception {
    Element svg = parse(Timeline.create().toSvg());

    assertThat(texts(svg, "subtitle")).containsExactly("no samples recorded");
    assertThat(elements(svg, "polyline", "busy")).isEmpty();
  }

  @Test
  void aRunAfterAFinishedOneStartsANewRecording() {
    Timeline timeline = recorded();

    timeline.onProgress(snapshot(0, State.RUNNING));

    assertThat(timeline.samples()).hasSize(1);
    assertThat(timeline.state()).isEmpty();
  }

  @Test
  void longRunsAreAveragedDownToAtMostTwoThousandPoints() throws Exception {
    Timeline timeline = Timeline.create();
    for (int i = 1; i <= 5000; i++) {
      Duration at = Duration.ofMillis(i * 10L);
      timeline.onProgress(
          new PipelineStats(
              State.RUNNING,
              at,
              List.of(stage("src", "source", 1, 0, 0, 0, at), stage("w", "map", 3, 3, 2, 4, at))));
    }

    Element svg = parse(timeline.toSvg());

    List<double[]> busy = points(series(svg, "polyline", "busy", "w"));
    assertThat(busy).hasSizeBetween(1000, 2000);
    double top = busy.get(0)[1];
    assertThat(busy).allSatisfy(point -> assertThat(point[1]).isCloseTo(top, within(0.01)));
  }

  @Test
  void writeSvgWritesTheDocumentToAFile(@TempDir Path dir) throws Exception {
    Timeline timeline = recorded();
    Path file = dir.resolve("timeline.svg");

    timeline.writeSvg(file);

    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(timeline.toSvg());
  }

  @Test
  void recordsARealPipelineFromItsFirstSnapshotToItsEnd() throws Exception {
    Timeline timeline = Timeline.create();
    CountDownLatch firstSnapshot = new CountDownLatch(1);
    ProgressListener recorder =
        new ProgressListener() {
          @Override
          public void onProgress(PipelineStats stats) {
            timeline.onProgress(stats);
            firstSnapshot.countDown();
          }

          @Override
          public void onFinish(PipelineStats stats) {
            timeline.onFinish(stats);
          }
        };

    PipelineResult<Void> result =
        Pipeline.from(IntStream.range(0, 300).boxed().toList())
            .map(
                "double",
                3,
                x -> {
                  if (x == 0) {
                    firstSnapshot.await(); // so that at least one live sample is taken
                  }
                  return 2 * x;
                })
            .forEach("sink", 2, x -> {})
            .progress(Duration.ofMillis(5), recorder)
            .run();

    List<Sample> samples = timeline.samples();
    assertThat(samples.size()).isGreaterThanOrEqualTo(2);
    assertThat(samples.get(samples.size() - 1).elapsed()).isEqualTo(result.elapsed());
    assertThat(samples.get(0).stages())
        .extracting(StageSample::name)
        .containsExactlyElementsOf(result.stats().stages().stream().map(StageStats::name).toList());
    assertThat(timeline.state()).contains(State.SUCCEEDED);
    Element svg = parse(timeline.toSvg());
    for (StageStats stage : result.stats().stages()) {
      assertThat(points(series(svg, "polyline", "busy", stage.name()))).hasSize(samples.size());
    }
  }
}
