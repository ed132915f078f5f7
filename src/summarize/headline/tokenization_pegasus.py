"""The tokenizer of IDEA-CCNL's Chinese Pegasus checkpoints (Randeng-Pegasus-*), re-implemented.

Randeng ships a BERT-style ``vocab.txt`` (characters plus whole words) and a
custom tokenizer class that AutoTokenizer cannot load. Its behaviour, which
this class reproduces so that fine-tuning sees the ids the model was
pre-trained with:

- the text is segmented with jieba (HMM off, so segmentation is a pure
  dictionary lookup and deterministic); a word found in the vocabulary is one
  token, any other word goes through BERT's basic + WordPiece tokenization;
- special tokens reuse BERT slots: ``<pad>`` = [PAD] (0), ``</s>`` = [unused1]
  (1), ``<mask_1>`` = [unused2] (2), ``<mask_2>`` = [unused3] (3), ``<unk>`` =
  [UNK] (100 in a BERT-layout vocab);
- a sequence is ``X </s>`` (no [CLS]), as in Pegasus.

Saving writes the renamed vocabulary, so a saved folder loads back unchanged.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict

from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

# Pegasus special token -> the BERT vocabulary slot Randeng's tokenizer gives it.
BERT_SLOTS = {"<pad>": "[PAD]", "</s>": "[unused1]", "<mask_1>": "[unused2]", "<mask_2>": "[unused3]", "<unk>": "[UNK]"}
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")


def _jieba_cut(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not our log
    return jieba.lcut(text, HMM=False)


class PegasusChineseTokenizer(BertTokenizerLegacy):
    """jieba word lookup first, BERT WordPiece as the fallback; Pegasus special tokens.

    Thread safety: like every transformers tokenizer, not safe for concurrent calls
    that change settings; HeadlineGenerator serializes its tokenizer calls.
    """

    model_input_names = ["input_ids", "attention_mask"]

    def __init__(
        self,
        vocab_file,
        do_lower_case=True,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        mask_token="<mask_2>",
        mask_token_sent="<mask_1>",
        **kwargs,
    ):
        # Pegasus never uses [CLS]/[SEP]; they stay ordinary vocabulary entries.
        kwargs["cls_token"] = None
        kwargs["sep_token"] = None
        extra = [t for t in kwargs.pop("extra_special_tokens", None) or kwargs.pop("additional_special_tokens", None) or []]
        if mask_token_sent and mask_token_sent not in extra:
            extra.insert(0, mask_token_sent)
        self.mask_token_sent = mask_token_sent
        super().__init__(
            vocab_file,
            do_lower_case=do_lower_case,
            pad_token=pad_token,
            eos_token=eos_token,
            unk_token=unk_token,
            mask_token=mask_token,
            extra_special_tokens=extra,
            mask_token_sent=mask_token_sent,
            **kwargs,
        )

    # BertTokenizerLegacy.__init__ assigns ``self.vocab`` from the file and only
    # then registers special tokens; renaming on assignment puts <pad>, </s>...
    # into their BERT slots before registration, instead of appending them as
    # new ids the pretrained embeddings do not have.
    @property
    def vocab(self) -> OrderedDict:
        return self._vocab

    @vocab.setter
    def vocab(self, value: OrderedDict) -> None:
        renamed = OrderedDict(value)
        for special, slot in BERT_SLOTS.items():
            if special not in renamed and slot in renamed:
                renamed = OrderedDict((special if tok == slot else tok, i) for tok, i in renamed.items())
        self._vocab = renamed

    def _tokenize(self, text, split_special_tokens=False):
        tokens: list[str] = []
        for word in _jieba_cut(text):
            if word in self.vocab:
                tokens.append(word)
            elif word.strip():
                tokens.extend(super()._tokenize(word, split_special_tokens=split_special_tokens))
        return tokens

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        # Whole words and characters join directly; a space only separates
        # two Latin/digit tokens, as in the original text.
        out = ""
        for token in tokens:
            if token.startswith("##"):
                out += token[2:]
            elif out and _LATIN_END.search(out) and _LATIN_START.match(token):
                out += " " + token
            else:
                out += token
        return out

    def build_inputs_with_special_tokens(self, token_ids_0, token_ids_1=None):
        if token_ids_1 is None:
            return token_ids_0 + [self.eos_token_id]
        return token_ids_0 + token_ids_1 + [self.eos_token_id]

    def get_special_tokens_mask(self, token_ids_0, token_ids_1=None, already_has_special_tokens=False):
        if already_has_special_tokens:
            special = set(self.all_special_ids)
            return [1 if t in special else 0 for t in token_ids_0]
        body = token_ids_0 + (token_ids_1 or [])
        return [0] * len(body) + [1]

    def create_token_type_ids_from_sequences(self, token_ids_0, token_ids_1=None):
        return [0] * len(self.build_inputs_with_special_tokens(token_ids_0, token_ids_1))
