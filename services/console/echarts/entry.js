// The dashboard draws bar and pie charts with a tooltip, a legend and a grid, on canvas:
// only those parts of ECharts, exposed as the global `echarts` the page's script uses.
import * as echarts from "echarts/core";
import { BarChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
export { init } from "echarts/core";
