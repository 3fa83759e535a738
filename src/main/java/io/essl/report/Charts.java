package io.essl.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Paint;
import java.io.File;
import java.io.IOException;

/** PNG charts drawn with JFreeChart. */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** A row-normalised confusion matrix as a heat map: rows are true classes, columns predictions. */
    public static void confusion(long[][] counts, String[] names, String title, File png) throws IOException {
        int k = counts.length;
        double[][] z = new double[k][k];
        for (int t = 0; t < k; t++) {
            long row = 0;
            for (long v : counts[t]) row += v;
            for (int p = 0; p < k; p++) z[t][p] = row == 0 ? 0 : (double) counts[t][p] / row;
        }
        heatMap(title, "predicted", names, "true class", names, z, "fraction of the true class", true, png, 760, 640);
    }

    /** Probe accuracy per corruption (rows) and severity 1-5 (columns): the robustness evaluation's picture. */
    public static void robustness(java.util.Map<String, double[]> top1, String title, File png) throws IOException {
        String[] names = top1.keySet().toArray(String[]::new);
        double[][] z = top1.values().toArray(double[][]::new);
        heatMap(title, "severity", new String[]{"1", "2", "3", "4", "5"}, "corruption", names, z, "linear probe top-1",
                false, png, 640, 120 + 34 * names.length);
    }

    /** z[row][column] in [0, 1] as blocks, the first row at the top, white (0) to dark blue (1). */
    private static void heatMap(String title, String xLabel, String[] xNames, String yLabel, String[] yNames, double[][] z,
                                String legendLabel, boolean verticalX, File png, int width, int height) throws IOException {
        int rows = yNames.length, cols = xNames.length;
        double[] x = new double[rows * cols], y = new double[rows * cols], v = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                x[i] = c;
                y[i] = rows - 1 - r;
                v[i] = z[r][c];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("values", new double[][]{x, y, v});
        String[] reversed = new String[rows];
        for (int i = 0; i < rows; i++) reversed[i] = yNames[rows - 1 - i];
        SymbolAxis xAxis = new SymbolAxis(xLabel, xNames);
        xAxis.setVerticalTickLabels(verticalX);
        SymbolAxis yAxis = new SymbolAxis(yLabel, reversed);
        XYBlockRenderer renderer = new XYBlockRenderer();
        BlueScale scale = new BlueScale();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        PaintScaleLegend legend = new PaintScaleLegend(scale, new NumberAxis(legendLabel));
        legend.setPosition(RectangleEdge.RIGHT);
        chart.addSubtitle(legend);
        save(chart, png, width, height);
    }

    /**
     * A grid of small images (e.g. one test image under each corruption at a few severities), each drawn
     * {@code zoom} times larger with nearest-neighbour pixels, row names on the left and column names on top.
     */
    public static void gallery(String[] rows, String[] cols, java.awt.image.BufferedImage[][] cells, int zoom, File png)
            throws IOException {
        int cw = cells[0][0].getWidth() * zoom, ch = cells[0][0].getHeight() * zoom, left = 150, top = 28, gap = 6;
        var img = new java.awt.image.BufferedImage(left + cols.length * (cw + gap), top + rows.length * (ch + gap),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int c = 0; c < cols.length; c++) g.drawString(cols[c], left + c * (cw + gap) + 4, top - 9);
        for (int r = 0; r < rows.length; r++) {
            int yy = top + r * (ch + gap);
            g.drawString(rows[r], 6, yy + ch / 2 + 5);
            for (int c = 0; c < cols.length; c++) g.drawImage(cells[r][c], left + c * (cw + gap), yy, cw, ch, null);
        }
        g.dispose();
        File parent = png.getAbsoluteFile().getParentFile();
        if (parent != null) parent.mkdirs();
        File tmp = new File(parent, "." + png.getName() + ".tmp");
        javax.imageio.ImageIO.write(img, "png", tmp);
        java.nio.file.Files.move(tmp.toPath(), png.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** One bar per entry with its mean and a ±1 standard deviation whisker (e.g. accuracy over seeds). */
    public static void meanStd(String title, String valueLabel, java.util.Map<String, double[]> meanAndStd, File png)
            throws IOException {
        meanStd(title, valueLabel, meanAndStd, Double.NaN, png);
    }

    /** The same with a horizontal line at {@code reference} (a baseline the bars are read against; NaN: none). */
    public static void meanStd(String title, String valueLabel, java.util.Map<String, double[]> meanAndStd, double reference,
                               File png) throws IOException {
        org.jfree.data.statistics.DefaultStatisticalCategoryDataset data =
                new org.jfree.data.statistics.DefaultStatisticalCategoryDataset();
        meanAndStd.forEach((name, ms) -> data.add(ms[0], ms[1], valueLabel, name));
        org.jfree.chart.plot.CategoryPlot plot = new org.jfree.chart.plot.CategoryPlot(data,
                new org.jfree.chart.axis.CategoryAxis(), new NumberAxis(valueLabel),
                new org.jfree.chart.renderer.category.StatisticalBarRenderer());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        if (!Double.isNaN(reference)) {
            org.jfree.chart.plot.ValueMarker line = new org.jfree.chart.plot.ValueMarker(reference, Color.RED,
                    new java.awt.BasicStroke(2f));
            plot.addRangeMarker(line);
            // the axis must reach the line even when every bar is above or below it
            plot.getRangeAxis().setRange(Math.min(plot.getRangeAxis().getLowerBound(), reference - 0.01),
                    Math.max(plot.getRangeAxis().getUpperBound(), reference + 0.01));
        }
        save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false), png, 760, 480);
    }

    /**
     * A 2-D map of embeddings: one dot per point, coloured by its class (one series a class, named in the legend);
     * x and y are the map's two coordinates (e.g. the first two principal components).
     */
    public static void embeddingMap(String title, double[][] xy, int[] labels, String[] classNames, File png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries[] byClass = new XYSeries[classNames.length];
        for (int c = 0; c < classNames.length; c++) {
            byClass[c] = new XYSeries(classNames[c], false, true);
            data.addSeries(byClass[c]);
        }
        for (int i = 0; i < xy.length; i++) byClass[labels[i]].add(xy[i][0], xy[i][1]);
        JFreeChart chart = ChartFactory.createScatterPlot(title, "component 1", "component 2", data);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        java.awt.Shape dot = new java.awt.geom.Ellipse2D.Double(-1.5, -1.5, 3, 3);
        for (int c = 0; c < classNames.length; c++) plot.getRenderer().setSeriesShape(c, dot);
        save(chart, png, 820, 680);
    }

    /** Loss parts per step (and the learning rate on a second axis); lossName names the invariance loss. */
    public static void trainingCurves(int[] steps, double[] invariance, double[] group, double[] lr, String lossName,
                                      File png) throws IOException {
        XYSeriesCollection losses = new XYSeriesCollection();
        XYSeries c = new XYSeries("invariance (" + lossName + ")");
        XYSeries g = new XYSeries("group (lambda x CE)");
        XYSeries l = new XYSeries("learning rate");
        boolean anyGroup = false;
        for (int i = 0; i < steps.length; i++) {
            c.add(steps[i], invariance[i]);
            g.add(steps[i], group[i]);
            l.add(steps[i], lr[i]);
            anyGroup |= group[i] != 0;
        }
        losses.addSeries(c);
        if (anyGroup) losses.addSeries(g);
        JFreeChart chart = ChartFactory.createXYLineChart("Pre-training loss", "step", "loss", losses);
        XYPlot plot = chart.getXYPlot();
        plot.setRangeAxis(1, new NumberAxis("learning rate"));
        plot.setDataset(1, new XYSeriesCollection(l));
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer lrRenderer = new XYLineAndShapeRenderer(true, false);
        lrRenderer.setSeriesPaint(0, Color.GRAY);
        plot.setRenderer(1, lrRenderer);
        saveLineChart(chart, png);
    }

    /** One line per named series of (x, y) points, e.g. the loss per step of several runs. */
    public static void lines(String title, String xLabel, String yLabel, java.util.Map<String, double[][]> series, File png)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, xy) -> {
            XYSeries s = new XYSeries(name);
            for (int i = 0; i < xy[0].length; i++) s.add(xy[0][i], xy[1][i]);
            data.addSeries(s);
        });
        saveLineChart(ChartFactory.createXYLineChart(title, xLabel, yLabel, data), png);
    }

    /** Memory over a soak run: heap live after GC, JavaCPP off-heap and resident set, in MB against minutes. */
    public static void memory(String title, java.util.List<MemorySampler.Sample> samples, File png) throws IOException {
        XYSeries heap = new XYSeries("heap after GC"), off = new XYSeries("off-heap (JavaCPP)"), rss = new XYSeries("resident set");
        for (MemorySampler.Sample s : samples) {
            heap.add(s.minutes(), s.heapMb());
            off.add(s.minutes(), s.offHeapMb());
            rss.add(s.minutes(), s.rssMb());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(rss);
        data.addSeries(off);
        data.addSeries(heap);
        saveLineChart(ChartFactory.createXYLineChart(title, "minutes", "MB", data), png);
    }

    /**
     * Group-prediction and online-monitor accuracy per step (NaN where absent) and the kNN monitor's top-1 at the
     * steps it ran.
     */
    public static void accuracyCurves(int[] steps, double[] rotation, double[] monitor, int[] knnSteps, double[] knnTop1,
                                      File png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries r = new XYSeries("group prediction (training views)");
        for (int i = 0; i < steps.length; i++) if (!Double.isNaN(rotation[i])) r.add(steps[i], rotation[i]);
        XYSeries m = new XYSeries("online linear monitor (training view 1)");
        for (int i = 0; i < steps.length; i++) if (!Double.isNaN(monitor[i])) m.add(steps[i], monitor[i]);
        XYSeries k = new XYSeries("kNN top-1 (monitor)");
        for (int i = 0; i < knnSteps.length; i++) k.add(knnSteps[i], knnTop1[i]);
        if (!r.isEmpty()) data.addSeries(r);
        if (!m.isEmpty()) data.addSeries(m);
        data.addSeries(k);
        JFreeChart chart = ChartFactory.createXYLineChart("Pre-training accuracy", "step", "accuracy", data);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount() - 1; i++) renderer.setSeriesShapesVisible(i, false); // per-step lines
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 1);
        saveLineChart(chart, png);
    }

    /** The two step charts share their look: white background, light grid, 900 x 520. */
    private static void saveLineChart(JFreeChart chart, File png) throws IOException {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        save(chart, png, 900, 520);
    }

    private static void save(JFreeChart chart, File png, int width, int height) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        File parent = png.getAbsoluteFile().getParentFile();
        if (parent != null) parent.mkdirs();
        // Written beside the report and read with it: a temporary name, then a rename, so a killed run never
        // leaves half a PNG under the final name.
        File tmp = new File(parent, "." + png.getName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp, chart, width, height);
        java.nio.file.Files.move(tmp.toPath(), png.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** White (0) to dark blue (1). */
    static final class BlueScale implements PaintScale {
        public double getLowerBound() {
            return 0;
        }

        public double getUpperBound() {
            return 1;
        }

        public Paint getPaint(double v) {
            double t = Math.max(0, Math.min(1, v));
            return new Color((int) (255 * (1 - 0.9 * t)), (int) (255 * (1 - 0.75 * t)), (int) (255 - 90 * t));
        }
    }
}
