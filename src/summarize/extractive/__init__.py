"""The learned extractive headline model: candidates cut from the article, ranked by LightGBM.

    summarize train configs/extractive.yaml --output-dir runs/extractive
    summarize headline --model runs/extractive/model "文章……"

Modules: ``candidates`` (editor-like spans and compressions), ``features``,
``encoder`` (optional sentence-encoder features), ``trees`` (numpy inference of
the saved LightGBM model), ``model`` (the folder and the generator), ``train``.
"""
