import type { ComponentType } from "react";
import type { BlockProps } from "./common";
import { ColorBlock, MomentaryBlock, NumberPadBlock, SliderBlock, ToggleBlock } from "./InputBlocks";
import { GaugeBlock, IndicatorBlock, StreamBlock, TextBlock } from "./OutputBlocks";
import { LineChartBlock } from "./LineChartBlock";

export const BLOCK_VIEWS: Record<string, ComponentType<BlockProps>> = {
  line_chart: LineChartBlock,
  gauge: GaugeBlock,
  toggle_button: ToggleBlock,
  slider: SliderBlock,
  momentary_button: MomentaryBlock,
  text: TextBlock,
  multiline_text: TextBlock,
  stream: StreamBlock,
  indicator: IndicatorBlock,
  color_picker: ColorBlock,
  number_pad: NumberPadBlock,
};

export function UnsupportedBlock({ block }: BlockProps) {
  return (
    <div className="flex h-full items-center justify-center p-2 text-center text-sm text-gray-500">
      Blocks of type “{block.visual_type}” are not shown by perch yet.
    </div>
  );
}

export type { BlockProps };
