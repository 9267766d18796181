export declare const GOLDEN_ARGS: string[];
export declare const GOLDEN_FILES: string[];
